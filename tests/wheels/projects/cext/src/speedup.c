/* SPDX-License-Identifier: Apache-2.0 */
/* fmr_cext._speedup.add(a, b): a C function the wheel tests compile. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *
speedup_add (PyObject *self, PyObject *args)
{
  long a, b;
  if (!PyArg_ParseTuple (args, "ll", &a, &b))
    return NULL;
  return PyLong_FromLong (a + b);
}

static PyMethodDef speedup_methods[] = {
  { "add", speedup_add, METH_VARARGS, "Add two integers." },
  { NULL, NULL, 0, NULL },
};

static struct PyModuleDef speedup_module = {
  PyModuleDef_HEAD_INIT, "_speedup", "C helpers of fmr_cext.", -1, speedup_methods,
};

PyMODINIT_FUNC
PyInit__speedup (void)
{
  return PyModule_Create (&speedup_module);
}
