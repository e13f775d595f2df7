using Detr.Training.Export;
using Detr.Training.Export.Quantization;

namespace Detr.Bench;

/// <summary>Options of <c>quantized-scoring</c>; see <see cref="QuantizedScoringBenchmark"/>.</summary>
sealed class QuantizedScoringSettings
{
    /// <summary>Speed cases: <c>r50</c> (DETR-R50, 800×1066) and/or <c>demo</c> (the demo's small Deformable DETR, 128×128).</summary>
    public string[] Cases { get; set; } = ["r50", "demo"];

    /// <summary>Image size of the r50 case (the demo case keeps 128×128).</summary>
    public (int Height, int Width) R50Size { get; set; } = (800, 1066);

    public int Rounds { get; set; } = 5;

    public int Calls { get; set; } = 1;

    public int WarmupRounds { get; set; } = 1;

    /// <summary>Then this many runs of each model under ONNX Runtime's profiler, per operator (0: none).</summary>
    public int ProfileRuns { get; set; }

    /// <summary>ONNX Runtime intra-op threads of every timed session (calibration too).</summary>
    public int Threads { get; set; } = 2;

    /// <summary>Drawn images (speed cases) or images taken from <see cref="Calibration"/> (accuracy) to calibrate on.</summary>
    public int CalibrationImages { get; set; } = 16;

    public DetrCalibrationMethod Method { get; set; } = DetrCalibrationMethod.Percentile;

    public double Percentile { get; set; } = 99.99;

    /// <summary>One INT8 variant per activation type, each timed beside the float32 model.</summary>
    public DetrQuantizedActivations[] Activations { get; set; } = [DetrQuantizedActivations.UInt8, DetrQuantizedActivations.Int8];

    /// <summary>One INT8 variant per part set (of the first activation type only, when several).</summary>
    public DetrModelParts[] Parts { get; set; } = [new DetrQuantizationOptions { CalibrationImages = ["x"] }.Parts];

    /// <summary>Accuracy: a trained checkpoint (e.g. the demo's checkpoints/last/model.safetensors).</summary>
    public string? Checkpoint { get; set; }

    /// <summary>Accuracy: the held-out COCO annotation file.</summary>
    public string? Data { get; set; }

    /// <summary>Accuracy: the held-out images' folder (default: the annotation file's folder).</summary>
    public string? Images { get; set; }

    /// <summary>Accuracy: calibration images (a folder or a COCO file), apart from the held-out set.</summary>
    public string? Calibration { get; set; }

    /// <summary>Accuracy: the COCO file's image folder for <see cref="Calibration"/>.</summary>
    public string? CalibrationFolder { get; set; }

    /// <summary>Accuracy: the resize the checkpoint was trained for (checkpoints do not record it; the demo's is 128/256).</summary>
    public int ShortestEdge { get; set; } = 800;

    /// <summary>Accuracy: the long-side cap of that resize.</summary>
    public int LongestEdge { get; set; } = 1333;
}
