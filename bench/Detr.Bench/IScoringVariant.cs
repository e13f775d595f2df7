namespace Detr.Bench;

/// <summary>One way of turning image files into DETR detections, timed by <see cref="ScoringBenchmark"/>.</summary>
interface IScoringVariant : IDisposable
{
    /// <summary>Short name used in the table and in <c>--only</c>.</summary>
    string Name { get; }

    /// <summary>What is inside the timed region.</summary>
    string Description { get; }

    /// <summary>Scores every image in <paramref name="paths"/>; returns the number of detections kept (so no work is elided).</summary>
    long Score(IReadOnlyList<string> paths);
}
