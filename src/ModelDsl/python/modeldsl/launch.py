"""``python3 -m modeldsl.launch --nproc N [train options]``: starts N ranks of ``modeldsl.train`` on this
machine (torch.multiprocessing's spawn context, gloo on 127.0.0.1 or NCCL with --device cuda), waits for
them, and when one fails stops the others and names it. This is the launcher that works with Debian 12's
Python 3.11, whose ``torchrun`` (PyTorch 1.13) fails in its log redirection unless given
``--redirects 2 --tee 1``; see docs/distributed.md for torchrun across machines.
"""

import multiprocessing.connection
import os
import signal
import socket
import sys
import time

import torch.multiprocessing as mp

from . import checkpoint, train


def _rank(args, rank, world, port):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    try:
        train.worker(args, rank, world, rank)
    except BaseException:
        sys.exit(1)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _describe(code):
    if code < 0:
        try:
            return f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"failed with exit code {code}"


def launch(args, nproc):
    """Runs ``nproc`` ranks; returns 0, or 1 after naming the rank that failed first."""
    context = mp.get_context("spawn")
    port = _free_port()
    processes = [context.Process(target=_rank, args=(args, rank, nproc, port), name=f"modeldsl rank {rank}") for rank in range(nproc)]
    for p in processes:
        p.start()
    running = {p.sentinel: rank for rank, p in enumerate(processes)}
    failed = None
    while running and failed is None:
        for sentinel in multiprocessing.connection.wait(list(running)):
            rank = running.pop(sentinel)
            processes[rank].join()
            if processes[rank].exitcode != 0 and failed is None:
                failed = rank
    if failed is None:
        return 0
    # The others fail too once their peer is gone; a rank killed by a signal is the cause, not the ranks it took down.
    deadline = time.monotonic() + 5
    for p in processes:
        p.join(max(0.0, deadline - time.monotonic()))
    killed = [r for r, p in enumerate(processes) if p.exitcode is not None and p.exitcode < 0]
    culprit = failed if failed in killed or not killed else killed[0]
    for p in processes:
        if p.exitcode is None:
            p.terminate()
            p.join()
    message = f"modeldsl: rank {culprit} of {nproc} {_describe(processes[culprit].exitcode)}; the run failed and the other ranks were stopped."
    if args.checkpoint:
        epoch = checkpoint.last_epoch(args.checkpoint)
        message += (f" The last checkpoint, '{os.path.join(args.checkpoint, checkpoint.STATE_FILE)}' (epoch {epoch}), is intact: rerun with --resume to continue."
                    if epoch is not None else " No epoch had been checkpointed yet.")
    print(message, file=sys.stderr, flush=True)
    return 1


def main(argv=None):
    p = train.parser()
    p.prog = "python3 -m modeldsl.launch"
    p.add_argument("--nproc", type=int, default=1, help="ranks to start on this machine")
    args = p.parse_args(argv)
    if args.nproc < 1:
        p.error("--nproc must be at least 1")
    sys.exit(launch(args, args.nproc))


if __name__ == "__main__":
    main()
