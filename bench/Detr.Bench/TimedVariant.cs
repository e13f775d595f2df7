using System.Diagnostics;

namespace Detr.Bench;

/// <summary>
/// One contestant of a comparison: runs its work N times back to back and gives each duration in seconds, and tells
/// the resident memory before and at the peak of one call.
/// </summary>
sealed record TimedVariant(string Name, string Description, Func<int, double[]> Time, Func<(long Before, long Peak)> Peak)
{
    /// <summary>Work done in this process, after a collection so earlier garbage is not collected inside the timing.</summary>
    public static TimedVariant InProcess(string name, string description, Action work) => new(name, description, count =>
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var seconds = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            work();
            seconds[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        return seconds;
    }, () => PeakMemory.Of(work));

    /// <summary>Work timed inside the Python baseline (its own clock, so the pipe's latency is not counted).</summary>
    public static TimedVariant InPython(string name, string description, PythonBaseline baseline) => new(name, description, baseline.Time, baseline.Peak);
}
