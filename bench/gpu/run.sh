#!/usr/bin/env bash
# GPU scoring benchmark (issue 15): ONNX Runtime's raw CUDA loop against LoadImages → ApplyDetr on CUDA, DETR-R50 at
# 800×1066, batch sizes 1, 4 and 8, float32 and float16. Target: ApplyDetr ≥ 0.9× the raw loop at every batch size.
# Never needed for CI; run it on a machine with a GPU:
#
#   bench/gpu/run.sh                        # everything with the defaults below
#   DEVICE=tensorrt bench/gpu/run.sh        # TensorRT (+ CUDA) instead of CUDA alone
#   ITERATIONS=10 BATCHES=1,8 bench/gpu/run.sh
#
# Needs: an NVIDIA GPU and driver; the CUDA 13 and cuDNN 9 libraries that ONNX Runtime GPU 1.32 loads (TensorRT 10's
# too for DEVICE=tensorrt) on the library path; the .NET 10 SDK with NuGet access (or a warm package cache) for the
# build; Python 3 with torch, torchvision and onnx to export the model, unless DETR_MODEL names one; onnxconverter-common
# (or onnxruntime's transformers tools) for the float16 copy, unless FP16_MODEL names one (without either, float16 is
# skipped with a note). Everything it writes goes to bench/artifacts/ (git ignores it).
set -euo pipefail
cd "$(dirname "$0")/../.."

DEVICE=${DEVICE:-cuda}
BATCHES=${BATCHES:-1,4,8}
ITERATIONS=${ITERATIONS:-5}
THREADS=${THREADS:-4}
GPU=${GPU:-0}
PYTHON=${PYTHON:-python3}
MODEL=${DETR_MODEL:-bench/artifacts/detr_r50.onnx}
FP16_MODEL=${FP16_MODEL:-bench/artifacts/detr_r50_fp16.onnx}
OUT=bench/artifacts/gpu-bench
REPORT=bench/artifacts/gpu-scoring-$(date -u +%Y%m%dT%H%M%SZ).txt
mkdir -p bench/artifacts

echo "== machine"
if command -v nvidia-smi > /dev/null; then
    nvidia-smi --query-gpu=index,name,driver_version,memory.total --format=csv,noheader
else
    echo "nvidia-smi not found: is there a GPU and a driver? (continuing; the benchmark says if CUDA cannot start)"
fi
dotnet --version

echo "== build (ONNX Runtime's GPU build: -p:DetrGpu=true)"
dotnet build bench/Detr.Bench -c Release -p:DetrGpu=true -o "$OUT" -v q -nologo

echo "== models"
if [ ! -f "$MODEL" ]; then
    echo "exporting a random-weight DETR-R50 to $MODEL (bench/make_detr_r50_onnx.py, about a minute)"
    "$PYTHON" bench/make_detr_r50_onnx.py "$MODEL"
fi
fp16_args=()
if [ -f "$FP16_MODEL" ] || "$PYTHON" bench/gpu/make_fp16_onnx.py "$MODEL" "$FP16_MODEL"; then
    fp16_args=(--fp16-model "$FP16_MODEL")
else
    echo "note: no float16 copy (see the message above); timing float32 only"
fi

echo "== scoring on $DEVICE (report: $REPORT)"
"$OUT/Detr.Bench" scoring --device "$DEVICE" --gpu "$GPU" --batch "$BATCHES" --iterations "$ITERATIONS" --threads "$THREADS" \
    --model "$MODEL" "${fp16_args[@]}" | tee "$REPORT"

echo
echo "== ApplyDetr / raw loop on $DEVICE (target ≥ 0.9 at every batch size; 'paired' is the median of per-iteration ratios)"
grep -E '^\| ours-[a-z0-9-]+-b[0-9]+ / raw-' "$REPORT" || { echo "no ratios in the report: see the output above"; exit 1; }
if grep -E '^\| ours-[a-z0-9-]+-b[0-9]+ / raw-' "$REPORT" | grep -q 'NOT met'; then
    echo "target NOT met for at least one batch size"
    exit 3
fi
echo "target met at every batch size"
