# SPDX-License-Identifier: Apache-2.0
# Shell completion (verbs and options read from fmr-run's own --help texts),
# installed where bash-completion and Debian's zsh look for them; the .rpm
# moves the zsh file to Fedora's site-functions.
bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = contrib/completion/bash/fmr-run
zshcompletiondir = $(datadir)/zsh/vendor-completions
dist_zshcompletion_DATA = contrib/completion/zsh/_fmr-run
