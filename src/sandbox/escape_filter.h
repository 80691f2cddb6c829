/* SPDX-License-Identifier: Apache-2.0 */
#ifndef FMR_ESCAPE_FILTER_H
#define FMR_ESCAPE_FILTER_H

#include <stdbool.h>
#include <stddef.h>

/* What a payload writes reaches the caller's terminal through this filter
 * (unless `run --raw-output`).  A terminal obeys more than colours: OSC 52
 * writes the clipboard, and queries (DSR, DA, DECRQSS, window reports, the
 * ENQ answerback, ...) make the terminal type its reply into the caller's
 * input, where the next program (the caller's shell) reads it as typed.
 *
 * The filter follows the terminal's parser (ECMA-48, as the VT500 state
 * machine reads it) across reads, and holds each escape sequence until it
 * is complete; a complete sequence is written out whole only when it is
 * on the allow-list, else dropped without a trace.  Since nothing but a
 * complete, allowed sequence ever leaves it, the terminal is back in its
 * ground state after every write, whatever the payload sent.
 *
 * Allowed: printable text and UTF-8; BEL, BS, HT, LF, VT, FF, CR, SO, SI,
 * CAN, SUB; CSI cursor movement, erase, insert/delete, scroll regions,
 * SGR (colours), set/reset modes (SM/RM, DECSET/DECRST), DECSED/DECSEL,
 * cursor style, soft reset; ESC 7 8 = > D E H M c, character set
 * designations, DECDHL/DECSWL/DECDWL/DECALN, S7C1T/S8C1T; OSC 0, 1, 2
 * (window and icon title: set only, the title report CSI 21 t is dropped)
 * with printable text only.  Everything else is dropped: other OSC (52
 * clipboard, colour queries, 8 hyperlinks, 1337 file transfer, ...), DCS,
 * SOS, PM, APC strings, every other CSI and ESC sequence, the other C0
 * controls (ENQ among them), C1 controls sent as UTF-8 (U+0080..U+009F,
 * understood as their ESC equivalents) and raw C1 bytes that are not part
 * of a UTF-8 character, and any sequence longer than the filter holds. */

/* The most a sequence can hold back: the output of one feed is at most
 * its input plus this. */
#define ESCAPE_FILTER_SEQ 512
#define ESCAPE_FILTER_HOLD (ESCAPE_FILTER_SEQ + 8)

struct escape_filter
{
  unsigned char state;
  unsigned char utf8_left; /* continuation bytes a UTF-8 character still needs */
  bool lead_c2;            /* a 0xC2 held back: U+0080..U+009F are C1 controls */
  bool overflow;           /* the sequence outgrew seq: it will be dropped */
  bool bad;                /* the sequence cannot be allowed, whatever ends it */
  size_t len;
  unsigned char seq[ESCAPE_FILTER_SEQ];
};

void escape_filter_init (struct escape_filter *f);
/* Filter in[0..n) into out (room for n + ESCAPE_FILTER_HOLD bytes);
 * returns the bytes written.  Sequences may be split across calls. */
size_t escape_filter_feed (struct escape_filter *f, const char *in, size_t n, char *out);

#endif
