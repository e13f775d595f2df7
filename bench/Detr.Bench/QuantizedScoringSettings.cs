using Detr.Training.Export;
using Detr.Training.Export.Quantization;

namespace Detr.Bench;

/// <summary>Options of <c>quantized-scoring</c>; see <see cref="QuantizedScoringBenchmark"/>.</summary>
sealed class QuantizedScoringSettings
{
    /// <summary>Speed cases: <c>r50</c> (DETR-R50, 800×1066) and/or <c>demo</c> (the demo's small Deformable DETR, 128×128).</summary>
    public string[] Cases { get; set; } = ["r50", "demo"];

    /// <summary>
    /// Rounds (default 5), calls (1), warm-up rounds, intra-op threads of every session (calibration too; default 2),
    /// profiled runs, and the r50 case's image size (default 800×1066; the demo case keeps 128×128).
    /// </summary>
    public ComparisonSettings Timing { get; } = new();

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
