namespace Detr.Tests.Shared;

/// <summary>
/// Runs one fuzz case on its own thread with a time limit, measuring what it allocates, and says whether it loaded or
/// which exception it threw; a hang or an allocation past the bound fails the test with the case's name.
/// </summary>
static class FuzzCase
{
    /// <summary>
    /// How many cases a fuzz test runs: <paramref name="standard"/> (a few hundred, seconds per format), or the
    /// <c>DETR_FUZZ_CASES</c> environment variable for a longer hunt (the seeds stay fixed, so the first cases are the same).
    /// </summary>
    public static int Count(int standard) =>
        int.TryParse(Environment.GetEnvironmentVariable("DETR_FUZZ_CASES"), out int count) && count > 0 ? count : standard;

    /// <summary>What the case did: <see cref="Error"/> is null when it loaded.</summary>
    public sealed record Outcome(Exception? Error, long AllocatedBytes);

    public static Outcome Run(string name, Action load, TimeSpan timeout, long maxAllocatedBytes)
    {
        Exception? error = null;
        long allocated = 0;
        // Its own thread: GetAllocatedBytesForCurrentThread then counts this case alone, and a hang can be detected.
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                load();
            }
            catch (Exception e)
            {
                error = e;
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        })
        { IsBackground = true };
        thread.Start();
        if (!thread.Join(timeout))
            throw new Xunit.Sdk.XunitException($"{name}: still running after {timeout.TotalSeconds} s (a hang)");
        if (allocated > maxAllocatedBytes)
            throw new Xunit.Sdk.XunitException($"{name}: allocated {allocated:N0} bytes, more than the bound of {maxAllocatedBytes:N0}");
        return new Outcome(error, allocated);
    }

    /// <summary>
    /// Asserts that a case that did not load failed as documented: an exception of type <typeparamref name="T"/>
    /// (or derived) whose message names <paramref name="file"/>; anything else fails with the case's name and the whole error.
    /// </summary>
    public static void AssertRefused<T>(Outcome outcome, string name, string file) where T : Exception
    {
        if (outcome.Error is not T documented)
            throw new Xunit.Sdk.XunitException($"{name}: expected {typeof(T).Name}, got {outcome.Error}");
        if (!documented.Message.Contains(file, StringComparison.Ordinal))
            throw new Xunit.Sdk.XunitException($"{name}: the message does not name '{file}': {documented.Message}");
    }

    /// <summary>How many cases loaded and how many were refused as documented.</summary>
    public sealed record Tally(int Loaded, int Refused);

    /// <summary>
    /// Writes each case with <paramref name="write"/> (which returns its path), loads it with <paramref name="load"/>
    /// under the time and allocation bounds, and asserts that each one that does not load throws
    /// <see cref="InvalidDataException"/> naming its file.
    /// </summary>
    public static Tally RunAll(string format, IEnumerable<Mutations.Case> cases, Func<Mutations.Case, string> write, Action<string> load,
        TimeSpan timeout, long maxAllocatedBytes)
    {
        int loaded = 0, refused = 0;
        foreach (var mutation in cases)
        {
            string path = write(mutation);
            string name = $"{format} case {mutation.Index} ({mutation.Kind})";
            var outcome = Run(name, () => load(path), timeout, maxAllocatedBytes);
            if (outcome.Error is null)
            {
                loaded++;
                continue;
            }
            AssertRefused<InvalidDataException>(outcome, name, Path.GetFileName(path));
            refused++;
        }
        return new Tally(loaded, refused);
    }
}
