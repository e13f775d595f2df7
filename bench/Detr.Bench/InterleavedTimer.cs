using System.Globalization;

namespace Detr.Bench;

/// <summary>
/// Times variants in rounds: each round runs every variant once (a block of back-to-back calls), starting with a
/// different one each round, so a shared machine's drift hits all of them alike and none always follows the same
/// neighbour. Warm-up rounds come first and are not kept.
/// </summary>
static class InterleavedTimer
{
    /// <summary>Seconds per variant, per round, per call.</summary>
    public static double[][][] Measure(IReadOnlyList<TimedVariant> variants, int warmupRounds, int rounds, int callsPerRound)
    {
        foreach (var variant in variants)
            Console.WriteLine($"  {variant.Name,-14} {variant.Description}");
        for (int round = 0; round < warmupRounds; round++)
            foreach (var variant in variants)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  warm-up {variant.Name,-14} {variant.Time(callsPerRound).Min() * 1000,10:F1} ms"));
        var seconds = variants.Select(_ => new double[rounds][]).ToArray();
        for (int round = 0; round < rounds; round++)
            foreach (int v in Enumerable.Range(0, variants.Count).Select(i => (i + round) % variants.Count))
            {
                seconds[v][round] = variants[v].Time(callsPerRound);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round + 1}/{rounds} {variants[v].Name,-14} median {Statistics.Median(seconds[v][round]) * 1000,10:F1} ms"));
            }
        Console.WriteLine($"  load average after the timed rounds: {MachineReport.LoadAverage()}");
        return seconds;
    }
}
