/* SPDX-License-Identifier: Apache-2.0 */
/* Attacks 15, 30: the caller's terminal, reached through the standard
 * descriptors or /dev/tty.  The test runs the sandbox on a pty it owns and
 * looks at that pty afterwards. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "hostile.h"

/* TIOCLINUX subcode 3: paste the console selection into the input. */
#define PASTE_SELECTION 3

typedef void (*tty_attack) (const char *where, int fd, const char *arg);

/* Run fn on fds 0, 1, 2 and on /dev/tty (opened: its errno is reported as
 * "open:/dev/tty"). */
static void
each_terminal (tty_attack fn, const char *arg)
{
  char where[16];
  for (int fd = 0; fd <= 2; fd++)
    {
      snprintf (where, sizeof where, "%d", fd);
      fn (where, fd, arg);
    }
  int fd = open ("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (report ("open:/dev/tty", fd) < 0)
    return;
  fn ("/dev/tty", fd, arg);
  close (fd);
}

static void
report_at (const char *call, const char *where, long r)
{
  int err = errno;
  char what[64];
  snprintf (what, sizeof what, "%s:%s", call, where);
  errno = err;
  report (what, r);
}

/* Push MARKER into the terminal's input, one character per TIOCSTI (the
 * first failure is reported), then ask for the console selection. */
static void
inject (const char *where, int fd, const char *marker)
{
  long r = 0;
  for (const char *c = marker; *c && r >= 0; c++)
    r = ioctl (fd, TIOCSTI, c);
  report_at ("tiocsti", where, r);
  char subcode = PASTE_SELECTION;
  report_at ("tioclinux", where, ioctl (fd, TIOCLINUX, &subcode));
}

/* 15: MARKER (a command line) typed into the caller's shell.  It is never
 * printed: the test looks for it in what the terminal echoed. */
ATTACK (tiocsti, "tiocsti", "MARKER");
static int
tiocsti (int argc, char **argv)
{
  if (argc < 2)
    return 2;
  each_terminal (inject, argv[1]);
  return 0;
}

/* Echo off and a new interrupt character: the caller's shell would be left
 * typing blind. */
static long
settings (int fd)
{
  struct termios t;
  if (tcgetattr (fd, &t) < 0)
    return -1;
  t.c_lflag &= ~(tcflag_t) (ECHO | ECHONL);
  t.c_cc[VINTR] = 1;
  return tcsetattr (fd, TCSANOW, &t);
}

/* Each way to change a terminal or take it over, in the order that would
 * do the most harm: settings, line discipline (set to N_TTY, what it is:
 * the call's answer is the point), becoming its controlling process, its
 * foreground process group, letting go of it. */
static void
take_over (const char *where, int fd, const char *arg)
{
  (void) arg;
  report_at ("tcsetattr", where, settings (fd));
  int ldisc = N_TTY;
  report_at ("tiocsetd", where, ioctl (fd, TIOCSETD, &ldisc));
  report_at ("tiocsctty", where, ioctl (fd, TIOCSCTTY, 0));
  report_at ("tcsetpgrp", where, tcsetpgrp (fd, getpgrp ()));
  report_at ("tiocnotty", where, ioctl (fd, TIOCNOTTY));
}

/* 30: the caller's terminal settings and foreground process group.  Job
 * control signals are ignored so that no attempt stops or hangs up the
 * attack itself. */
ATTACK (tty_settings, "tty-settings", "");
static int
tty_settings (int argc, char **argv)
{
  (void) argc, (void) argv;
  signal (SIGTTOU, SIG_IGN);
  signal (SIGTTIN, SIG_IGN);
  signal (SIGHUP, SIG_IGN);
  each_terminal (take_over, NULL);
  return 0;
}
