"""pycocotools' bbox evaluation of a ground-truth and a results file, timed by phase, for `detr evaluate`'s comparison.

pycocotools is not a Debian 12 package: build cocodataset/cocoapi's PythonAPI in a temporary folder (needs
`apt-get install cython3`), then pass it with --cocoapi:

    git --git-dir=<mirror of cocodataset/cocoapi> archive HEAD | tar -x -C /tmp/cocoapi
    sed -i 's/np\\.float)/np.float64)/' /tmp/cocoapi/PythonAPI/pycocotools/cocoeval.py   # np.float is gone in numpy 1.24
    (cd /tmp/cocoapi/PythonAPI && /usr/bin/python3 setup.py build_ext --inplace)
    /usr/bin/python3 bench/baseline/coco_eval.py --cocoapi /tmp/cocoapi/PythonAPI --gt gt.json --dt dt.json

Prints the phases' seconds, the 12 stats (repr, so every bit shows) and, with --hash, SHA-256 of the accumulated
precision, recall and scores arrays as float64 in C order ([T,R,K,A,M] and [T,K,A,M]), which
CocoEvaluatorPycocotoolsParityTests compares with CocoMetrics' arrays. --json prints one JSON object instead.
"""
import argparse
import contextlib
import hashlib
import io
import json
import sys
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cocoapi", required=True, help="cocoapi's PythonAPI folder with the built pycocotools")
    parser.add_argument("--gt", required=True)
    parser.add_argument("--dt", required=True)
    parser.add_argument("--use-cats", type=int, default=1)
    parser.add_argument("--max-dets", default="1,10,100")
    parser.add_argument("--hash", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    sys.path.insert(0, args.cocoapi)
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    imported = time.perf_counter()

    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet):
        gt = COCO(args.gt)
        loaded_gt = time.perf_counter()
        dt = gt.loadRes(args.dt)
        loaded_dt = time.perf_counter()
        evaluation = COCOeval(gt, dt, "bbox")
        evaluation.params.useCats = args.use_cats
        evaluation.params.maxDets = [int(m) for m in args.max_dets.split(",")]
        evaluation.evaluate()
        evaluated = time.perf_counter()
        evaluation.accumulate()
        accumulated = time.perf_counter()
        evaluation.summarize()
        summarized = time.perf_counter()

    phases = {
        "import": imported - started,
        "load_gt": loaded_gt - imported,
        "load_results": loaded_dt - loaded_gt,
        "evaluate": evaluated - loaded_dt,
        "accumulate": accumulated - evaluated,
        "summarize": summarized - accumulated,
    }
    phases["evaluation_in_process"] = summarized - loaded_dt
    out = {"seconds": phases, "stats": [float(s) for s in evaluation.stats]}
    if args.hash:
        import numpy as np
        for name in ("precision", "recall", "scores"):
            array = np.ascontiguousarray(evaluation.eval[name], dtype=np.float64)
            out[name + "_shape"] = list(array.shape)
            out[name + "_sha256"] = hashlib.sha256(array.tobytes()).hexdigest()
    if args.json:
        print(json.dumps(out))
        return
    for name, seconds in phases.items():
        print(f"{name:22s} {seconds:8.3f} s")
    print("stats", [repr(s) for s in out["stats"]])
    for key in ("precision_sha256", "recall_sha256", "scores_sha256"):
        if key in out:
            print(key, out[key])


if __name__ == "__main__":
    main()
