/* SPDX-License-Identifier: Apache-2.0 */
/* The terminal escape filter (escape_filter.h says what passes).  States
 * and transitions follow the VT500 parser that xterm, VTE and most
 * terminals implement; only the ones that decide what the terminal would
 * do are kept. */
#include "config.h"

#include <string.h>

#include "sandbox/escape_filter.h"

enum
{
  GROUND,
  ESC,       /* after ESC: seq = ESC */
  ESC_INTER, /* ESC and intermediates (0x20-0x2f) */
  CSI,       /* ESC [ and parameters, intermediates */
  OSC,       /* ESC ] and the string so far */
  OSC_ESC,   /* an ESC in an OSC string: ST if a backslash follows */
  STR,       /* DCS, SOS, PM, APC: dropped up to their ST */
  STR_ESC,
};

#define BEL 0x07
#define CAN 0x18
#define SUB 0x1a
#define ESC_BYTE 0x1b
#define DEL 0x7f
#define C1_ST 0x9c

struct sink
{
  char *p;
  size_t n;
};

static void dispatch (struct escape_filter *f, unsigned char b, struct sink *s);

static void
put (struct sink *s, unsigned char c)
{
  s->p[s->n++] = (char) c;
}

static void
put_seq (struct escape_filter *f, struct sink *s)
{
  memcpy (s->p + s->n, f->seq, f->len);
  s->n += f->len;
}

static void
hold (struct escape_filter *f, unsigned char c)
{
  if (f->len < sizeof f->seq)
    f->seq[f->len++] = c;
  else
    f->overflow = true;
}

static void
start_esc (struct escape_filter *f)
{
  f->state = ESC;
  f->len = 0;
  f->overflow = f->bad = false;
  f->utf8_left = 0;
  hold (f, ESC_BYTE);
}

/* C0 controls that only move the cursor, sound the bell or shift the
 * character set; the others are dropped: ENQ makes the terminal send its
 * answerback, and none of the rest has a use in a build's output. */
static void
exec_c0 (struct sink *s, unsigned char c)
{
  if ((c >= BEL && c <= 0x0f) || c == CAN || c == SUB)
    put (s, c);
}

static void
ground (struct escape_filter *f, unsigned char b, struct sink *s)
{
  if (b == ESC_BYTE)
    {
      start_esc (f);
      return;
    }
  if (b < 0x80)
    {
      f->utf8_left = 0;
      if (b >= 0x20 || b == DEL)
        put (s, b);
      else
        exec_c0 (s, b);
      return;
    }
  if (b < 0xc0)
    {
      /* A continuation byte; a lone one in 0x80-0x9f is what a terminal
       * not in UTF-8 mode would take for a C1 control. */
      if (f->utf8_left > 0)
        f->utf8_left--;
      else if (b < 0xa0)
        return;
      put (s, b);
      return;
    }
  f->utf8_left = b < 0xe0 ? 1 : b < 0xf0 ? 2 : b < 0xf8 ? 3 : 0;
  put (s, b);
}

/* The bytes a sequence cannot hold: the terminal acts on them wherever
 * they come.  True when b was dealt with. */
static bool
in_sequence_control (struct escape_filter *f, unsigned char b, struct sink *s)
{
  if (b == ESC_BYTE)
    start_esc (f); /* the sequence so far is dropped, as the terminal does */
  else if (b == CAN || b == SUB)
    f->state = GROUND;
  else if (b < 0x20)
    exec_c0 (s, b);
  else if (b == DEL)
    ; /* ignored inside a sequence */
  else if (b >= 0x80)
    {
      f->state = GROUND;
      ground (f, b, s);
    }
  else
    return false;
  return true;
}

static void
end_sequence (struct escape_filter *f, bool allowed, struct sink *s)
{
  if (allowed && !f->overflow && !f->bad)
    put_seq (f, s);
  f->state = GROUND;
  f->len = 0;
}

static void
in_esc (struct escape_filter *f, unsigned char b, struct sink *s)
{
  if (in_sequence_control (f, b, s))
    return;
  hold (f, b);
  if (b == '[')
    f->state = CSI;
  else if (b == ']')
    f->state = OSC;
  else if (b == 'P' || b == 'X' || b == '^' || b == '_')
    f->state = STR; /* DCS, SOS, PM, APC */
  else if (b < 0x30)
    f->state = ESC_INTER;
  else /* DECSC, DECRC, DECKPAM, DECKPNM, IND, NEL, HTS, RI, RIS; not DECID (Z: a query) */
    end_sequence (f, strchr ("78=>DEHMc", b) != NULL, s);
}

/* ESC, one intermediate, a final: character sets (not ESC %, which would
 * take the terminal out of UTF-8 and make every 0x80-0x9f a control), the
 * line sizes and DECALN, S7C1T and S8C1T. */
static bool
esc_inter_allowed (const struct escape_filter *f)
{
  if (f->len != 3)
    return false;
  unsigned char i = f->seq[1], fin = f->seq[2];
  if (strchr ("()*+-./", i))
    return true;
  if (i == '#')
    return fin >= '3' && fin <= '8';
  return i == ' ' && (fin == 'F' || fin == 'G');
}

static void
in_esc_inter (struct escape_filter *f, unsigned char b, struct sink *s)
{
  if (in_sequence_control (f, b, s))
    return;
  hold (f, b);
  if (b >= 0x30)
    end_sequence (f, esc_inter_allowed (f), s);
}

/* Whether parameter value v appears in p[0..n) (digits and separators). */
static bool
has_param (const unsigned char *p, size_t n, unsigned v)
{
  unsigned cur = 0;
  bool digits = false;
  for (size_t i = 0; i <= n; i++)
    {
      if (i < n && p[i] >= '0' && p[i] <= '9')
        {
          cur = cur * 10 + (p[i] - '0');
          digits = true;
          if (cur > 100000)
            cur = 100000;
          continue;
        }
      if (digits && cur == v)
        return true;
      cur = 0;
      digits = false;
    }
  return false;
}

/* The allow-list of CSI sequences: movement, erase, scroll, SGR and modes,
 * none of which makes the terminal answer. */
static bool
csi_allowed (const struct escape_filter *f)
{
  const unsigned char *p = f->seq + 2, *end = f->seq + f->len - 1;
  unsigned char fin = *end, private = 0;
  if (p < end && strchr ("<=>?", *p))
  private = *p++;
  const unsigned char *params = p;
  while (p < end && *p >= '0' && *p <= ';')
    p++;
  size_t n_params = (size_t) (p - params);
  const unsigned char *inter = p;
  while (p < end && *p >= 0x20 && *p <= 0x2f)
    p++;
  if (p != end)
    return false; /* a parameter after an intermediate, or a marker inside */
  size_t n_inter = (size_t) (end - inter);
  if (n_inter == 1 && !private)
    return (*inter == ' ' && fin == 'q') || (*inter == '!' && fin == 'p'); /* DECSCUSR, DECSTR */
  if (n_inter)
    return false;
  if (private == '?')
    /* DECSET/DECRST, but not DECANM (?2 l puts the terminal in VT52
     * mode, whose ESC Z asks it to identify itself); DECSED, DECSEL. */
    return ((fin == 'h' || fin == 'l') && !has_param (params, n_params, 2)) || fin == 'J' || fin == 'K';
  if (private)
    return false;
  /* Not c (DA), n (DSR), t (window operations and reports), x
   * (DECREQTPARM), i (media copy), q (LEDs), y (DECTST), h/l (ANSI modes:
   * KAM would lock the keyboard, SRM turn on local echo). */
  return strchr ("@ABCDEFGHIJKLMPSTXZ`abdefgmrsu", fin) != NULL;
}

static void
in_csi (struct escape_filter *f, unsigned char b, struct sink *s)
{
  if (in_sequence_control (f, b, s))
    return;
  hold (f, b);
  if (b >= 0x40)
    end_sequence (f, csi_allowed (f), s);
}

/* OSC 0, 1, 2 (titles), and only printable UTF-8 text in them. */
static bool
osc_allowed (const struct escape_filter *f)
{
  const unsigned char *p = f->seq + 2, *end = f->seq + f->len;
  if (end - p < 2 || (p[0] != '0' && p[0] != '1' && p[0] != '2') || p[1] != ';')
    return false;
  unsigned left = 0;
  for (p += 2; p < end; p++)
    {
      unsigned char c = *p;
      if (left > 0)
        {
          if (c < 0x80 || c >= 0xc0)
            return false;
          left--;
        }
      else if (c >= 0xc2 && c < 0xf5)
        {
          left = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
          if (c == 0xc2 && p + 1 < end && p[1] < 0xa0)
            return false; /* U+0080..U+009F: C1 controls */
        }
      else if (c < 0x20 || c >= DEL)
        return false;
    }
  return left == 0;
}

static void
osc_end (struct escape_filter *f, struct sink *s)
{
  bool allowed = osc_allowed (f);
  end_sequence (f, allowed, s);
  if (allowed && !f->overflow && !f->bad)
    put (s, BEL); /* one terminator, whichever the payload used */
}

static void
in_osc (struct escape_filter *f, unsigned char b, struct sink *s)
{
  if (b == BEL)
    osc_end (f, s);
  else if (b == ESC_BYTE)
    f->state = OSC_ESC;
  else if (b == CAN || b == SUB)
    f->state = GROUND;
  else if (b < 0x20)
    f->bad = true;
  else
    hold (f, b);
}

static void
in_string_esc (struct escape_filter *f, unsigned char b, struct sink *s, bool osc)
{
  if (b == '\\')
    {
      if (osc)
        osc_end (f, s);
      else
        f->state = GROUND;
      return;
    }
  /* Any other byte ends the string (dropped) and begins an escape. */
  start_esc (f);
  dispatch (f, b, s);
}

static void
dispatch (struct escape_filter *f, unsigned char b, struct sink *s)
{
  switch (f->state)
    {
    case GROUND: ground (f, b, s); break;
    case ESC: in_esc (f, b, s); break;
    case ESC_INTER: in_esc_inter (f, b, s); break;
    case CSI: in_csi (f, b, s); break;
    case OSC: in_osc (f, b, s); break;
    case OSC_ESC: in_string_esc (f, b, s, true); break;
    case STR:
      if (b == ESC_BYTE)
        f->state = STR_ESC;
      else if (b == CAN || b == SUB)
        f->state = GROUND;
      break;
    default: in_string_esc (f, b, s, false); break;
    }
}

/* A C1 control written as UTF-8 (0xC2 0x80..0x9F), which xterm obeys:
 * ST ends a string; any other aborts what was under way and is read as
 * its 7-bit form, ESC and b - 0x40 (so 0xC2 0x9B is ESC [). */
static void
c1 (struct escape_filter *f, unsigned char b, struct sink *s)
{
  if (b == C1_ST)
    {
      if (f->state == OSC || f->state == OSC_ESC)
        osc_end (f, s);
      f->state = GROUND;
      return;
    }
  start_esc (f);
  in_esc (f, (unsigned char) (b - 0x40), s);
}

static void
feed_byte (struct escape_filter *f, unsigned char b, struct sink *s)
{
  if (f->lead_c2)
    {
      f->lead_c2 = false;
      if (b >= 0x80 && b < 0xa0)
        {
          c1 (f, b, s);
          return;
        }
      dispatch (f, 0xc2, s);
    }
  if (b == 0xc2)
    f->lead_c2 = true; /* decided by the next byte */
  else
    dispatch (f, b, s);
}

void
escape_filter_init (struct escape_filter *f)
{
  memset (f, 0, sizeof *f);
  f->state = GROUND;
}

size_t
escape_filter_feed (struct escape_filter *f, const char *in, size_t n, char *out)
{
  struct sink s = { .p = out, .n = 0 };
  for (size_t i = 0; i < n; i++)
    feed_byte (f, (unsigned char) in[i], &s);
  return s.n;
}
