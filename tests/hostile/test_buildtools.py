# SPDX-License-Identifier: Apache-2.0
"""The default sandbox is strict but builds still work in it: gcc and g++,
make -j, cmake, cargo offline, Python with threads, multiprocessing and mmap
each build or run something real inside the bundle `fmr-run spec` writes
(default seccomp profile, no capabilities, no network), started by root and
by nobody.  A tool the machine lacks is skipped by name (contrib/setup.sh
installs them all)."""

import os
import shutil
import textwrap

from hostile import MODE, HostileTest, caller_ids

C_SOURCE = r"""
#include <pthread.h>
#include <stdio.h>
static void *work (void *p) { *(long *) p *= 2; return NULL; }
int main (void) {
  long v[4] = { 1, 2, 3, 4 }; pthread_t t[4];
  for (int i = 0; i < 4; i++) pthread_create (&t[i], NULL, work, &v[i]);
  for (int i = 0; i < 4; i++) pthread_join (t[i], NULL);
  printf ("c %ld\n", v[0] + v[1] + v[2] + v[3]);
  return 0;
}
"""

CXX_SOURCE = r"""
#include <future>
#include <iostream>
#include <numeric>
#include <vector>
int main () {
  std::vector<std::future<int>> f;
  for (int i = 1; i <= 4; i++) f.push_back (std::async (std::launch::async, [i] { return i * i; }));
  int sum = 0;
  for (auto &x : f) sum += x.get ();
  std::cout << "c++ " << sum << std::endl;
}
"""

MAKEFILE = """\
OBJS = $(patsubst %.c,%.o,$(wildcard part*.c))
app: $(OBJS) main.o
\t$(CC) -o $@ $^
%.o: %.c
\t$(CC) -O2 -c -o $@ $<
"""

CARGO_TOML = """\
[package]
name = "fmrhostile"
version = "0.1.0"
edition = "2018"
"""

RUST_MAIN = """\
use std::thread;
fn main() {
    let handles: Vec<_> = (1..=4).map(|i| thread::spawn(move || i * 10)).collect();
    let sum: i32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    println!("rust {}", sum);
}
"""

PYTHON_SCRIPT = """\
import concurrent.futures, mmap, multiprocessing, os, threading
def square(x):
    return x * x
if __name__ == "__main__":
    total = []
    ts = [threading.Thread(target=lambda i=i: total.append(i)) for i in range(8)]
    for t in ts: t.start()
    for t in ts: t.join()
    with multiprocessing.Pool(2) as pool:
        pooled = sum(pool.map(square, range(10)))
    with concurrent.futures.ProcessPoolExecutor(2) as ex:
        futured = sum(ex.map(square, range(5)))
    lock = multiprocessing.Lock()  # a POSIX semaphore in /dev/shm
    with lock:
        pass
    anon = mmap.mmap(-1, 1 << 20)
    anon[:5] = b"hello"
    with open("mapped.bin", "wb") as f:
        f.write(b"\\0" * 4096)
    with open("mapped.bin", "r+b") as f, mmap.mmap(f.fileno(), 4096) as m:
        m[:4] = b"fmr!"
    with open("mapped.bin", "rb") as f:
        head = f.read(4)
    print("python", sum(total), pooled, futured, anon[:5].decode(), head.decode())
"""


class BuildTools(HostileTest):
    def need(self, *tools):
        for tool in tools:
            if not os.path.exists(os.path.join("/usr/bin", tool)):
                self.skipTest(f"/usr/bin/{tool} is not installed (contrib/setup.sh installs it)")

    def put(self, files):
        for rel, text in files.items():
            path = os.path.join(self.work, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        if MODE != "root":
            for dirpath, dirnames, filenames in os.walk(self.work):
                for name in [*dirnames, *filenames]:
                    os.chown(os.path.join(dirpath, name), *caller_ids())

    def build(self, script, timeout=240):
        """Run `sh -c SCRIPT` in the default sandbox with the work directory
        current and writable; its stdout."""
        r = self.run_fmr("spec", "--force", "--rw", self.work, "--cwd", self.work, "--timeout", str(timeout),
                         self.bundle, "--", "/bin/sh", "-ec", script)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = self.run_fmr("run", self.bundle, timeout=timeout + 30)
        self.assertEqual(r.returncode, 0, f"stdout={r.stdout!r} stderr={r.stderr[-3000:]!r}")
        return r.stdout

    def test_gcc_and_gxx_with_threads(self):
        self.need("gcc", "g++")
        self.put({"t.c": C_SOURCE, "t.cc": CXX_SOURCE})
        out = self.build("gcc -O2 -pthread -o tc t.c && ./tc && g++ -O2 -pthread -o tcc t.cc && ./tcc")
        self.assertEqual(out, "c 20\nc++ 30\n")
        self.assertTrue(os.path.isfile(os.path.join(self.work, "tcc")))

    def test_make_parallel(self):
        self.need("make", "gcc")
        files = {"Makefile": MAKEFILE,
                 "main.c": "#include <stdio.h>\n" + "".join(f"int part{i} (void);\n" for i in range(8))
                 + "int main (void) { printf (\"make %d\\n\", "
                 + " + ".join(f"part{i} ()" for i in range(8)) + "); return 0; }\n"}
        files.update({f"part{i}.c": f"int part{i} (void) {{ return {i}; }}\n" for i in range(8)})
        self.put(files)
        self.assertEqual(self.build("make -j4 --no-print-directory >/dev/null && ./app"), "make 28\n")

    def test_cmake(self):
        self.need("cmake", "gcc")
        self.put({"CMakeLists.txt": "cmake_minimum_required(VERSION 3.13)\nproject(fmrhostile C)\n"
                                    "find_package(Threads REQUIRED)\nadd_executable(app t.c)\n"
                                    "target_link_libraries(app Threads::Threads)\n",
                  "t.c": C_SOURCE})
        out = self.build("cmake -S . -B build >/dev/null && cmake --build build -j 2 >/dev/null && ./build/app")
        self.assertEqual(out, "c 20\n")

    def test_cargo_offline(self):
        self.need("cargo", "rustc")
        self.put({"Cargo.toml": CARGO_TOML, "src/main.rs": RUST_MAIN})
        out = self.build("CARGO_HOME=$PWD/.cargo cargo build --offline -q && ./target/debug/fmrhostile")
        self.assertEqual(out, "rust 100\n")

    def test_python_threads_multiprocessing_mmap(self):
        self.need("python3")
        self.put({"job.py": PYTHON_SCRIPT})
        self.assertEqual(self.build("python3 job.py"), "python 28 285 30 hello fmr!\n")
