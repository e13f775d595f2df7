namespace Detr.MLNet.Evaluation;

/// <summary>COCO bbox evaluation parameters, defaulting to pycocotools' <c>Params(iouType="bbox")</c>.</summary>
public sealed record CocoEvaluationOptions
{
    /// <summary>IoU thresholds: numpy's linspace(.5, .95, 10), value for value.</summary>
    public IReadOnlyList<double> IouThresholds { get; init; } = Linspace(0.5, 0.95, 10);

    /// <summary>Recall points: linspace(0, 1, 101).</summary>
    public IReadOnlyList<double> RecallThresholds { get; init; } = Linspace(0.0, 1.0, 101);

    /// <summary>Detections kept per image: 1, 10, 100.</summary>
    public IReadOnlyList<int> MaxDetections { get; init; } = [1, 10, 100];

    /// <summary>Area ranges (ground truth by annotation area, detections by w·h).</summary>
    public IReadOnlyList<(string Name, double Min, double Max)> AreaRanges { get; init; } =
        [("all", 0, 1e10), ("small", 0, 32 * 32), ("medium", 32 * 32, 96 * 96), ("large", 96 * 96, 1e10)];

    /// <summary>numpy.linspace(start, stop, count): start + i·step, the last value exactly stop.</summary>
    public static double[] Linspace(double start, double stop, int count)
    {
        var values = new double[count];
        double step = (stop - start) / (count - 1);
        for (int i = 0; i < count; i++)
            values[i] = i * step + start;
        values[^1] = stop;
        return values;
    }
}
