/* SPDX-License-Identifier: Apache-2.0 */
/* The terminal escape filter: what passes, what is dropped, and the same
 * result however the output is split across reads. */
#include "config.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/escape_filter.h"

/* The filter's output for in, fed in pieces cut at each offset in cuts
 * (ascending, ending with n). */
static char *
feed_cut (const char *in, size_t n, const size_t *cuts, size_t n_cuts, size_t *out_len)
{
  struct escape_filter f;
  escape_filter_init (&f);
  char *out = malloc (n + ESCAPE_FILTER_HOLD * (n_cuts + 1) + 1);
  size_t o = 0, from = 0;
  for (size_t i = 0; i < n_cuts; i++)
    {
      o += escape_filter_feed (&f, in + from, cuts[i] - from, out + o);
      from = cuts[i];
    }
  out[o] = 0;
  *out_len = o;
  return out;
}

/* Filters in whole, byte by byte, and cut in two at every offset: all must
 * give `want`. */
static void
expect_n (const char *in, size_t n, const char *want, size_t want_len)
{
  size_t len, whole_cut[1] = { n };
  char *got = feed_cut (in, n, whole_cut, 1, &len);
  cr_assert (len == want_len && memcmp (got, want, len) == 0, "whole: got `%s` (%zu bytes), want `%s`", got, len, want);
  free (got);
  size_t *bytes = malloc ((n + 1) * sizeof *bytes);
  for (size_t i = 0; i < n; i++)
    bytes[i] = i + 1;
  got = feed_cut (in, n, bytes, n, &len);
  cr_assert (len == want_len && memcmp (got, want, len) == 0, "byte by byte: got `%s`, want `%s`", got, want);
  free (got);
  free (bytes);
  for (size_t k = 0; k <= n; k++)
    {
      size_t two[2] = { k, n };
      got = feed_cut (in, n, two, 2, &len);
      cr_assert (len == want_len && memcmp (got, want, len) == 0, "cut at %zu: got `%s`, want `%s`", k, got, want);
      free (got);
    }
}

static void
expect (const char *in, const char *want)
{
  expect_n (in, strlen (in), want, strlen (want));
}

Test (escape_filter, text_and_utf8_pass)
{
  expect ("plain text\r\n\ttab\b", "plain text\r\n\ttab\b");
  expect ("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\x8d \xc2\xa9", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\x8d \xc2\xa9");
  expect ("bell\a", "bell\a");
}

Test (escape_filter, colours_and_cursor_movement_pass)
{
  const char *kept[] = {
    "\x1b[0m",
    "\x1b[1;31m",
    "\x1b[38;5;196m",
    "\x1b[38:2::10:20:30m",
    "\x1b[m",
    "\x1b[2J",
    "\x1b[K",
    "\x1b[10;20H",
    "\x1b[3A",
    "\x1b[B",
    "\x1b[5C",
    "\x1b[D",
    "\x1b[G",
    "\x1b[2;24r",
    "\x1b[?25l",
    "\x1b[?25h",
    "\x1b[?1049h",
    "\x1b[?2004h",
    "\x1b[?1J",
    "\x1b[s",
    "\x1b[u",
    "\x1b[2 q",
    "\x1b[!p",
    "\x1b"
    "7",
    "\x1b"
    "8",
    "\x1bM",
    "\x1b(B",
    "\x1b)0",
    "\x1b#8",
    "\x1b=",
    "\x1b>",
  };
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
    {
      char in[64], want[64];
      snprintf (in, sizeof in, "a%sb", kept[i]);
      snprintf (want, sizeof want, "a%sb", kept[i]);
      expect (in, want);
    }
}

Test (escape_filter, clipboard_and_other_osc_dropped)
{
  expect ("x\x1b]52;c;ZWNobyBwd25lZAo=\ay", "xy");
  expect ("x\x1b]52;c;?\x1b\\y", "xy"); /* clipboard read */
  expect ("x\x1b]11;?\ay", "xy");       /* background colour query */
  expect ("x\x1b]8;;http://evil/\alink\x1b]8;;\ay", "xlinky");
  expect ("x\x1b]1337;File=name=a:AAAA\ay", "xy");
  expect ("x\xc2\x9d"
          "52;c;AAAA\xc2\x9cy",
          "xy"); /* OSC and ST as UTF-8 C1 */
}

Test (escape_filter, titles_pass_with_printable_text_only)
{
  expect ("\x1b]0;build \xc3\xa9\a.", "\x1b]0;build \xc3\xa9\a.");
  expect ("\x1b]2;title\x1b\\.", "\x1b]2;title\a."); /* one terminator, BEL */
  expect ("\x1b]2;a\x05"
          "b\a.",
          "."); /* a control inside: dropped */
  expect ("\x1b]2;a\xc2\x85"
          "b\a.",
          "\x1b"
          "Eb\a."); /* U+0085 (NEL) aborts it */
}

Test (escape_filter, queries_dropped)
{
  const char *queries[] = {
    "\x1b[5n",
    "\x1b[6n",
    "\x1b[?6n",
    "\x1b[c",
    "\x1b[0c",
    "\x1b[>c",
    "\x1b[=c",
    "\x1b[14t",
    "\x1b[21t",
    "\x1b[8;100;100t",
    "\x1b[x",
    "\x1b[?1$p",
    "\x1b[2$p",
    "\x1b[>q",
    "\x1b[?u",
    "\x1b[1;1;1;1;1$y",
    "\x1bZ",
    "\x1b[?2l",
    "\x1b[2h",
    "\x1b[12l",
    "\x1b[5i",
    "\x1b%@",
    "\x1b%G",
    "\xc2\x9b"
    "6n",
    "\x05",
  };
  for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
    {
      char in[64];
      snprintf (in, sizeof in, "a%sb", queries[i]);
      expect (in, "ab");
    }
}

Test (escape_filter, device_control_and_private_strings_dropped)
{
  expect ("a\x1bP$qm\x1b\\b", "ab");                     /* DECRQSS */
  expect ("a\x1bP+q544e\x1b\\b", "ab");                  /* XTGETTCAP */
  expect ("a\x1bPtmux;\x1b\x1b]52;c;AA\a\x1b\\b", "ab"); /* tmux passthrough */
  expect ("a\x1b_Gf=100;AAAA\x1b\\b", "ab");             /* APC (kitty graphics) */
  expect ("a\x1b^pm\x1b\\b\x1bXsos\x1b\\c", "abc");
  expect ("a\xc2\x90$qm\xc2\x9c"
          "b",
          "ab"); /* DCS, ST as UTF-8 C1 */
}

Test (escape_filter, utf8_c1_read_as_escapes)
{
  expect ("a\xc2\x9b"
          "31mb",
          "a\x1b[31mb"); /* CSI as C1: allowed, sent as ESC [ */
  expect ("a\xc2\x85"
          "b",
          "a\x1b"
          "Eb"); /* NEL */
  expect ("a\x9b"
          "6nb",
          "a6nb"); /* a lone raw C1 byte is dropped */
}

Test (escape_filter, aborted_and_overlong_sequences)
{
  /* ESC inside a sequence starts a new one; CAN cancels. */
  expect ("a\x1b[6\x1b[31mb", "a\x1b[31mb");
  expect ("a\x1b[6\x18"
          "nb",
          "anb");
  /* A C0 control inside a CSI acts at once; the CSI is still judged. */
  expect ("a\x1b[3\n1mb", "a\n\x1b[31mb");
  expect ("a\x1b[\n6nb", "a\nb");
  /* A title longer than the filter holds is dropped whole. */
  size_t n = 2 * ESCAPE_FILTER_SEQ;
  char *in = malloc (n + 8);
  memcpy (in, "\x1b]0;", 4);
  memset (in + 4, 't', n);
  memcpy (in + 4 + n, "\ax", 3);
  expect (in, "x");
  free (in);
  /* An unterminated string drops everything after its start. */
  expect ("a\x1b]52;c;AAAA", "a");
}

Test (escape_filter, nul_bytes_and_controls)
{
  expect_n ("a\0b\x01\x7f"
            "c",
            6,
            "ab\x7f"
            "c",
            4);
}
