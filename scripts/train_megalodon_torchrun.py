#!/usr/bin/env python3
"""Continue training a Megalodon.ML model on several GPUs/nodes with the reference implementation.

Reads a folder written by `megalodon export --format reference` (consolidated.pth, nested config.json,
consolidate_config.json, tokenizer.model, optionally optimizer.pth), trains the reference's own `Mega` model under
DDP (default) or FSDP, and writes the same layout back, which `megalodon import DIR --out model.zip` reads.

Requirements (installed by the user, not by this repository): PyTorch with CUDA, and the reference package
(XuezheMax/megalodon at cff8ba5, `pip install -e .` in its checkout, which builds its CUDA extension).

    torchrun --nnodes 2 --nproc-per-node 8 --rdzv-backend c10d --rdzv-endpoint $HEAD:29500 \
        scripts/train_megalodon_torchrun.py --init exported/ --tokens train.u16 --out trained/ \
        --steps 1000 --batch 4 --seq-len 4096 --lr 3e-4

The token file is a flat array of token ids (uint16 with --dtype uint16, else int32), e.g. written with numpy.
This script is documentation-grade: it was not run in this repository's CI (see docs/scale-out.md).
"""
import argparse
import json
import os
import shutil
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

from megalodon.config import ModelConf
from megalodon.model.mega import Mega

MOMENTS = (".exp_avg", ".exp_avg_sq", ".step")


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--init", required=True, help="folder from `megalodon export --format reference`")
    p.add_argument("--tokens", required=True, help="flat binary file of token ids")
    p.add_argument("--dtype", default="uint16", choices=["uint16", "int32"])
    p.add_argument("--out", required=True, help="folder to write (reference layout)")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch", type=int, default=4, help="sequences per GPU per step")
    p.add_argument("--seq-len", type=int, default=2048, help="below chunk_size or a multiple of it")
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--betas", type=float, nargs=2, default=(0.9, 0.98))
    p.add_argument("--clip", type=float, default=1.0)
    p.add_argument("--fsdp", action="store_true", help="shard parameters with torch FSDP instead of DDP")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


def main():
    args = parse_args()
    dist.init_process_group("nccl")
    rank, world = dist.get_rank(), dist.get_world_size()
    local = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local)
    torch.manual_seed(args.seed + rank)

    init = Path(args.init)
    cfg = json.loads((init / "config.json").read_text())
    model_cfg = ModelConf(**cfg["model"])
    model = Mega(model_cfg)
    # strict: the export carries output.output.weight for tied embeddings, as the reference's state dict has it.
    model.load_state_dict(torch.load(init / "consolidated.pth", map_location="cpu"), strict=True)
    model = model.cuda()

    if args.fsdp:
        from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
        wrapped = FSDP(model, use_orig_params=True)
    else:
        wrapped = DDP(model, device_ids=[local])
    params = dict(wrapped.named_parameters())
    optimizer = torch.optim.AdamW(wrapped.parameters(), lr=args.lr, betas=tuple(args.betas),
                                  weight_decay=args.weight_decay, eps=1e-8)
    restore_moments(optimizer, params, init / "optimizer.pth", fsdp=args.fsdp)

    tokens = np.memmap(args.tokens, dtype=np.uint16 if args.dtype == "uint16" else np.int32, mode="r")
    window = args.seq_len + 1
    rng = np.random.default_rng(args.seed * 1000 + rank)
    wrapped.train()
    for step in range(1, args.steps + 1):
        starts = rng.integers(0, len(tokens) - window, size=args.batch)
        batch = torch.from_numpy(np.stack([tokens[s:s + window].astype(np.int64) for s in starts])).cuda()
        logits, _ = wrapped(batch[:, :-1])
        loss = F.cross_entropy(logits.float().reshape(-1, logits.size(-1)), batch[:, 1:].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if args.fsdp:
            wrapped.clip_grad_norm_(args.clip)
        else:
            torch.nn.utils.clip_grad_norm_(wrapped.parameters(), args.clip)
        optimizer.step()
        if rank == 0 and step % 10 == 0:
            print(f"step {step} loss {loss.item():.4f}", flush=True)

    save(args, cfg, init, wrapped, optimizer, rank)
    dist.destroy_process_group()


def restore_moments(optimizer, params, path, fsdp):
    """AdamW moments exported by Megalodon.ML under the reference's parameter names ({name}.exp_avg, ...)."""
    if not path.exists():
        return
    if fsdp:
        print("optimizer.pth: moments are not restored under FSDP (sharded optimizer state); starting AdamW fresh")
        return
    saved = torch.load(path, map_location="cpu")
    for name, param in params.items():
        plain = name.removeprefix("module.")
        if plain + ".exp_avg" not in saved:
            continue
        state = optimizer.state[param]
        state["exp_avg"] = saved[plain + ".exp_avg"].to(param.device, param.dtype)
        state["exp_avg_sq"] = saved[plain + ".exp_avg_sq"].to(param.device, param.dtype)
        state["step"] = saved[plain + ".step"].float().reshape(())  # torch keeps the step as a float tensor


def save(args, cfg, init, wrapped, optimizer, rank):
    if args.fsdp:
        from torch.distributed.fsdp import FullyShardedDataParallel as FSDP, StateDictType, FullStateDictConfig
        with FSDP.state_dict_type(wrapped, StateDictType.FULL_STATE_DICT, FullStateDictConfig(offload_to_cpu=True, rank0_only=True)):
            state = wrapped.state_dict()
    else:
        state = {k.removeprefix("module."): v.cpu() for k, v in wrapped.state_dict().items()}
    if rank != 0:
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    torch.save(state, out / "consolidated.pth")
    if (init / "tokenizer.model").exists():
        shutil.copy(init / "tokenizer.model", out / "tokenizer.model")
        cfg["tokenizer"]["path"] = str((out / "tokenizer.model").resolve())
    for extra in ("tokenizer_spec.json",):
        if (init / extra).exists():
            shutil.copy(init / extra, out / extra)
    (out / "config.json").write_text(json.dumps(cfg, indent=2))
    (out / "consolidate_config.json").write_text(json.dumps({"model_parallel_size": 1, "dtype": "fp32"}, indent=2))
    if not args.fsdp:
        moments = {}
        params = dict(wrapped.named_parameters())
        for name, param in params.items():
            st = optimizer.state.get(param)
            if not st:
                continue
            plain = name.removeprefix("module.")
            moments[plain + ".exp_avg"] = st["exp_avg"].cpu()
            moments[plain + ".exp_avg_sq"] = st["exp_avg_sq"].cpu()
            moments[plain + ".step"] = torch.tensor(int(st["step"]), dtype=torch.int64)
        torch.save(moments, out / "optimizer.pth")
    print(f"wrote {out}: import it with `megalodon import {out} --out model.zip`")


if __name__ == "__main__":
    main()
