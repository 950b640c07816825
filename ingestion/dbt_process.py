"""``finsam-dbt ARGS``: ``dbt ARGS`` in a process that dies with the process that started it,
in the folder of the database it writes.

A refresh (or a scenario) runs dbt as a child process. Killed with SIGKILL, the parent
cannot stop its child, and dbt would go on writing the build file of a run that no longer
exists, holding its lock. On Linux the kernel can do it: the child asks for SIGKILL when its
parent dies (``PR_SET_PDEATHSIG``), which survives the ``exec`` of dbt. Elsewhere this is
plain ``dbt``.

``FINSAM_DBT_DIRECTORY`` is the database's folder (``ingestion.warehouse.dbt_env``): dbt
runs there, so its profile names the file alone and stays the same for every database.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def main() -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() == 1:  # the parent died before the request: nothing to run for
            sys.exit(f"{sys.argv[0]}: the process that started dbt is gone")
    directory = os.environ.pop("FINSAM_DBT_DIRECTORY", "")
    if directory:
        os.chdir(directory)
    dbt = os.path.join(os.path.dirname(sys.executable), "dbt")
    os.execv(dbt, [dbt, *sys.argv[1:]])


if __name__ == "__main__":
    main()
