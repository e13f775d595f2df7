namespace Detr.Bench;

/// <summary>
/// Resident memory of this process around one call: the kernel's high-water mark (VmHWM), reset first by writing 5 to
/// /proc/self/clear_refs, so the peak belongs to that call alone. The Python baseline measures itself the same way.
/// </summary>
static class PeakMemory
{
    /// <summary>Bytes resident before <paramref name="work"/> and at its peak.</summary>
    public static (long Before, long Peak) Of(Action work)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5");
        long before = StatusBytes("VmRSS");
        work();
        return (before, StatusBytes("VmHWM"));
    }

    /// <summary>A field of /proc/self/status (VmRSS, VmHWM) in bytes.</summary>
    public static long StatusBytes(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim()) * 1024;
        throw new InvalidOperationException($"No {field} in /proc/self/status.");
    }
}
