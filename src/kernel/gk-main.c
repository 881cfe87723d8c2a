/* gk-main.c - gradlab-kernel: runs learners' Python with Gradlab's torch */
/* SPDX-License-Identifier: GPL-3.0-or-later */

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "gk-private.h"
#include "gk-graph.h"

static pthread_t main_thread;
static guint64 memory_limit_bytes;

static PyObject *
init_gradlab_module (void)
{
  return gk_module_init ();
}

/* SIGINT: stop engine loops and raise KeyboardInterrupt in Python code.
 * Python runs signal handlers in the main thread only, and only the main
 * thread's blocking calls (sleep, select) are cut short: a SIGINT that
 * landed on another thread (OpenBLAS's, the protocol's) is passed on. */
static void
on_sigint (int signum)
{
  ge_request_interrupt ();
  PyErr_SetInterruptEx (SIGINT);
  if (!pthread_equal (pthread_self (), main_thread))
    pthread_kill (main_thread, SIGINT);
}

static void
install_sigint_handler (void)
{
  struct sigaction action;

  memset (&action, 0, sizeof action);
  action.sa_handler = on_sigint;
  sigemptyset (&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction (SIGINT, &action, NULL);
}

/* Our python/ folder: the source tree's when running from the build tree. */
static char *
kernel_python_dir (const char *argv0)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  const char *override = g_getenv ("GRADLAB_KERNEL_PYTHON_DIR");

  if (override != NULL)
    return g_strdup (override);
  if (exe != NULL && g_str_has_prefix (exe, GK_BUILD_DIR "/"))
    return g_strdup (GK_PYTHON_SRCDIR);
  if (g_file_test (GK_PYTHON_INSTALLDIR, G_FILE_TEST_IS_DIR))
    return g_strdup (GK_PYTHON_INSTALLDIR);
  return g_strdup (GK_PYTHON_SRCDIR);
}

static void
limit_memory (guint64 bytes)
{
#if !defined(__SANITIZE_ADDRESS__)
  struct rlimit limit = { bytes, bytes };

  /* Huge allocations fail with an error instead of swapping the machine. */
  if (bytes > 0 && setrlimit (RLIMIT_AS, &limit) == 0)
    memory_limit_bytes = bytes;
  else if (bytes > 0)
    g_printerr ("gradlab-kernel: cannot limit memory to %" G_GUINT64_FORMAT " bytes: %s\n",
                bytes, g_strerror (errno));
#endif
}

/* ---- _gradlab_kernel: what the protocol needs from the process ---- */

/* install_sigint_handler(): puts our SIGINT handler back after Python's
 * signal.signal() replaced it with its own C handler. */
static PyObject *
kernel_install_sigint_handler (PyObject *self,
                               PyObject *unused)
{
  install_sigint_handler ();
  Py_RETURN_NONE;
}

/* take_interrupt() -> bool: consumes the engine's interrupt flag (set by
 * SIGINT and not yet seen by an engine loop). */
static PyObject *
kernel_take_interrupt (PyObject *self,
                       PyObject *unused)
{
  return PyBool_FromLong (!ge_check_interrupt (NULL));
}

/* memory_limit() -> int: the address-space limit in bytes, 0 for none. */
static PyObject *
kernel_memory_limit (PyObject *self,
                     PyObject *unused)
{
  return PyLong_FromUnsignedLongLong (memory_limit_bytes);
}

static PyMethodDef kernel_methods[] = {
  { "install_sigint_handler", kernel_install_sigint_handler, METH_NOARGS, NULL },
  { "take_interrupt", kernel_take_interrupt, METH_NOARGS, NULL },
  { "memory_limit", kernel_memory_limit, METH_NOARGS, NULL },
  { NULL, NULL, 0, NULL },
};

static struct PyModuleDef kernel_module = {
  PyModuleDef_HEAD_INIT,
  .m_name = "_gradlab_kernel",
  .m_doc = "The gradlab-kernel process: signals and limits.",
  .m_size = -1,
  .m_methods = kernel_methods,
};

static PyObject *
init_kernel_module (void)
{
  return PyModule_Create (&kernel_module);
}

static guint64
default_memory_limit (void)
{
  long pages = sysconf (_SC_PHYS_PAGES);
  long page_size = sysconf (_SC_PAGESIZE);

  if (pages <= 0 || page_size <= 0)
    return 0;
  /* three quarters of RAM, plus room for the address space OpenBLAS and
   * Python reserve but never touch */
  return (guint64) pages * page_size / 4 * 3 + ((guint64) 4 << 30);
}

static gboolean
init_python (const char  *python_dir,
             const char  *script,
             int          argc,
             char       **argv)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  PyConfig config;
  PyStatus status;

  /* Isolated, but in UTF-8 mode: the isolated pre-config ignores the locale,
   * which would leave stdio ASCII and make print("한글") fail. */
  {
    PyPreConfig preconfig;

    PyPreConfig_InitIsolatedConfig (&preconfig);
    preconfig.utf8_mode = 1;
    status = Py_PreInitialize (&preconfig);
    if (PyStatus_Exception (status))
      {
        g_printerr ("gradlab-kernel: cannot start Python: %s\n",
                    status.err_msg ? status.err_msg : "unknown error");
        return FALSE;
      }
  }
  PyConfig_InitIsolatedConfig (&config);
  config.write_bytecode = 0;
  config.buffered_stdio = 1;
  /* sys.executable is this program, not whatever "python3" PATH finds */
  if (exe != NULL)
    {
      status = PyConfig_SetBytesString (&config, &config.program_name, exe);
      if (PyStatus_Exception (status))
        goto fail;
    }
  /* sys.argv as python3 FILE args... would set it */
  if (script != NULL)
    {
      status = PyConfig_SetBytesArgv (&config, argc, argv);
      if (PyStatus_Exception (status))
        goto fail;
    }
  status = Py_InitializeFromConfig (&config);
  if (PyStatus_Exception (status))
    goto fail;
  PyConfig_Clear (&config);
  return TRUE;

fail:
  PyConfig_Clear (&config);
  g_printerr ("gradlab-kernel: cannot start Python: %s\n", status.err_msg ? status.err_msg : "unknown error");
  return FALSE;
}

/* sys.path: our torch first, then the script's folder (as python3 does),
 * then the standard and Debian dist-packages paths. */
static gboolean
setup_sys_path (const char *python_dir,
                const char *script)
{
  PyObject *path = PySys_GetObject ("path");
  PyObject *entry;

  if (path == NULL)
    return FALSE;
  if (script != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (script);
      g_autofree char *abs = g_canonicalize_filename (dir, NULL);
      entry = PyUnicode_FromString (abs);
      if (entry == NULL || PyList_Insert (path, 0, entry) < 0)
        return FALSE;
      Py_DECREF (entry);
    }
  entry = PyUnicode_FromString (python_dir);
  if (entry == NULL || PyList_Insert (path, 0, entry) < 0)
    return FALSE;
  Py_DECREF (entry);
  return TRUE;
}

static int
run_script (const char *script)
{
  FILE *file = fopen (script, "rb");
  PyObject *main_module, *globals, *result;

  if (file == NULL)
    {
      g_printerr ("gradlab-kernel: can't open file '%s': [Errno 2] No such file or directory\n", script);
      return 2;
    }
  main_module = PyImport_AddModule ("__main__");
  globals = PyModule_GetDict (main_module);
  if (PyDict_SetItemString (globals, "__file__", PyUnicode_FromString (script)) < 0)
    {
      fclose (file);
      return 1;
    }
  result = PyRun_FileExFlags (file, script, Py_file_input, globals, globals, 1, NULL);
  if (result == NULL)
    {
      /* prints the traceback; SystemExit exits with its code */
      PyErr_Print ();
      return 1;
    }
  Py_DECREF (result);
  return 0;
}

/* The protocol loop is Python (gradlab_kernel/protocol.py); main()
 * returns the exit status. */
static int
run_protocol (void)
{
  PyObject *module = PyImport_ImportModule ("gradlab_kernel.protocol");
  PyObject *result;
  long status = 0;

  if (module == NULL)
    {
      PyErr_Print ();
      return 1;
    }
  result = PyObject_CallMethod (module, "main", NULL);
  Py_DECREF (module);
  if (result == NULL)
    {
      /* a SystemExit exits here with its code, as in python3 */
      PyErr_Print ();
      return 1;
    }
  if (PyLong_Check (result))
    status = PyLong_AsLong (result);
  Py_DECREF (result);
  return status == -1 && PyErr_Occurred () ? 1 : (int) status;
}

int
main (int argc, char *argv[])
{
  g_autofree char *script = NULL;
  g_autofree char *figures = NULL;
  g_autofree char *python_dir = NULL;
  gboolean protocol = FALSE;
  gint64 memory_limit = -1;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "script", 0, 0, G_OPTION_ARG_FILENAME, &script, "Run FILE like python3 FILE would, with Gradlab's torch", "FILE" },
    { "figures", 0, 0, G_OPTION_ARG_FILENAME, &figures, "Write matplotlib figures as JSON into DIR", "DIR" },
    { "protocol", 0, 0, G_OPTION_ARG_NONE, &protocol, "Speak the JSON-lines protocol on stdin/stdout", NULL },
    { "memory-limit", 0, 0, G_OPTION_ARG_INT64, &memory_limit, "Address-space limit in bytes (0: none)", "BYTES" },
    { NULL },
  };
  int status;

  context = g_option_context_new ("- run Python code on Gradlab's engine");
  g_option_context_add_main_entries (context, entries, NULL);
  /* stop at the script: what follows belongs to it (sys.argv) */
  g_option_context_set_strict_posix (context, FALSE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("gradlab-kernel: %s\n", error->message);
      return 2;
    }
  if ((script == NULL) == !protocol)
    {
      g_printerr ("gradlab-kernel: give either --script FILE or --protocol\n");
      return 2;
    }

  if (protocol)
    {
      /* a kernel whose app died must not run on (an endless cell) */
      pid_t parent = getppid ();

      prctl (PR_SET_PDEATHSIG, SIGTERM);
      if (getppid () != parent)
        return 0;
    }
  limit_memory (memory_limit >= 0 ? (guint64) memory_limit : default_memory_limit ());
  if (figures != NULL)
    g_setenv ("GRADLAB_FIGURES_DIR", figures, TRUE);

  main_thread = pthread_self ();
  python_dir = kernel_python_dir (argv[0]);
  if (PyImport_AppendInittab ("_gradlab", init_gradlab_module) < 0 ||
      PyImport_AppendInittab ("_gradlab_graph", gk_graph_module_init) < 0 ||
      PyImport_AppendInittab ("_gradlab_kernel", init_kernel_module) < 0)
    return 1;
  {
    /* sys.argv = [FILE, args...] */
    g_autoptr(GPtrArray) args = g_ptr_array_new ();
    g_ptr_array_add (args, script ? script : (char *) "");
    for (int i = 1; i < argc; i++)
      g_ptr_array_add (args, argv[i]);
    if (!init_python (python_dir, script, (int) args->len, (char **) args->pdata))
      return 1;
  }
  if (!setup_sys_path (python_dir, script))
    {
      PyErr_Print ();
      return 1;
    }

  /* Python's KeyboardInterrupt machinery, then our handler on top of it */
  PyRun_SimpleString ("import signal\nsignal.signal(signal.SIGINT, signal.default_int_handler)\n");
  install_sigint_handler ();

  status = script != NULL ? run_script (script) : run_protocol ();
  if (Py_FinalizeEx () < 0 && status == 0)
    status = 120;
  return status;
}
