/* Needs a library's headers (libzbar-dev) that nothing installs: compiling fails. */
#include <zbar.h>
#include <Python.h>

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_speedups", NULL, -1, NULL};

PyMODINIT_FUNC PyInit__speedups(void) { return PyModule_Create(&module); }
