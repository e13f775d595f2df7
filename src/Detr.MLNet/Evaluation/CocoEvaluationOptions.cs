namespace Detr.MLNet.Evaluation;

/// <summary>Parameters of a COCO bbox evaluation; the defaults are pycocotools' <c>Params(iouType='bbox')</c>.</summary>
public sealed class CocoEvaluationOptions
{
    /// <summary>IoU thresholds T; default <c>numpy.linspace(.5, .95, 10)</c>.</summary>
    public IReadOnlyList<double> IouThresholds { get; init; } = Array.AsReadOnly(NumpyLinspace.Create(0.5, 0.95, 10));

    /// <summary>Recall thresholds R at which precision is sampled; default <c>numpy.linspace(0, 1, 101)</c>.</summary>
    public IReadOnlyList<double> RecallThresholds { get; init; } = Array.AsReadOnly(NumpyLinspace.Create(0.0, 1.0, 101));

    /// <summary>Caps M on detections per image (sorted ascending before use, as pycocotools does); default 1, 10, 100.</summary>
    public IReadOnlyList<int> MaxDetections { get; init; } = [1, 10, 100];

    /// <summary>Object-size buckets A; default all [0, 1e10], small [0, 32²], medium [32², 96²], large [96², 1e10].</summary>
    public IReadOnlyList<CocoAreaRange> AreaRanges { get; init; } =
    [
        new("all", 0, 1e10),
        new("small", 0, 32 * 32),
        new("medium", 32 * 32, 96 * 96),
        new("large", 96 * 96, 1e10),
    ];

    /// <summary>When false, categories are pooled per image (pycocotools' <c>useCats=0</c>, proposal-style scoring).</summary>
    public bool UseCategories { get; init; } = true;

    /// <summary>
    /// Upper bound on worker threads over categories (1 also reads the two files of an evaluation one after the other);
    /// null lets the runtime decide. Results do not depend on it.
    /// </summary>
    public int? MaxDegreeOfParallelism { get; init; }

    /// <summary>The pycocotools defaults.</summary>
    public static CocoEvaluationOptions Default { get; } = new();

    /// <summary>Checks the lists are usable and returns the max-detection caps sorted ascending.</summary>
    internal int[] Validate()
    {
        if (IouThresholds is null || IouThresholds.Count == 0)
        {
            throw new ArgumentException("At least one IoU threshold is required.", nameof(IouThresholds));
        }

        if (RecallThresholds is null || RecallThresholds.Count == 0)
        {
            throw new ArgumentException("At least one recall threshold is required.", nameof(RecallThresholds));
        }

        if (AreaRanges is null || AreaRanges.Count == 0)
        {
            throw new ArgumentException("At least one area range is required.", nameof(AreaRanges));
        }

        if (MaxDetections is null || MaxDetections.Count == 0)
        {
            throw new ArgumentException("At least one max-detections cap is required.", nameof(MaxDetections));
        }

        if (MaxDegreeOfParallelism is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), "Must be positive when set.");
        }

        var caps = MaxDetections.ToArray();
        foreach (int cap in caps)
        {
            if (cap < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxDetections), cap, "Max-detection caps must be non-negative.");
            }
        }

        Array.Sort(caps);
        return caps;
    }
}
