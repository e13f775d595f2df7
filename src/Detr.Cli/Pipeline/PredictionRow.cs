namespace Detr.Cli.Pipeline;

/// <summary>The prediction columns as a .NET object.</summary>
public sealed class PredictionRow
{
    /// <summary>Path of the scored image.</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>Class keys (1-based).</summary>
    public uint[] PredictedLabel { get; set; } = [];

    /// <summary>Scores, best first.</summary>
    public float[] Score { get; set; } = [];

    /// <summary>x0,y0,x1,y1 per detection, original pixels.</summary>
    public float[] PredictedBoundingBoxes { get; set; } = [];
}
