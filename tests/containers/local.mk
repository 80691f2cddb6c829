# SPDX-License-Identifier: Apache-2.0
# fmr-run inside outer containers that imitate docker, podman and
# Kubernetes, started with crun (outer.py; README.md names the source of
# each setting and seccomp profile).
TESTS += tests/containers/test_containers.py
AM_TESTS_ENVIRONMENT += FMR_RUN='$(abs_top_builddir)/fmr-run'; export FMR_RUN;
EXTRA_DIST += tests/containers/test_containers.py tests/containers/outer.py tests/containers/inside.sh \
	tests/containers/README.md tests/containers/seccomp-docker.json tests/containers/seccomp-podman.json
