using System.Globalization;

namespace Detr.Bench;

/// <summary>
/// The result of an <see cref="InterleavedTimer"/> run as a Markdown table: per variant the median, best and worst
/// call, and its time relative to the baseline variant both as a ratio of medians and "paired" (the median over rounds
/// of the ratio within a round, where the variants ran back to back), which resists a machine whose speed drifts.
/// </summary>
static class ComparisonTable
{
    /// <summary>Prints the table; returns each variant's paired time ratio to <paramref name="baseline"/>.</summary>
    public static double[] Print(IReadOnlyList<TimedVariant> variants, double[][][] seconds, int baseline)
    {
        var all = seconds.Select(rounds => rounds.SelectMany(r => r).ToArray()).ToArray();
        var medians = all.Select(Statistics.Median).ToArray();
        var roundMedians = seconds.Select(rounds => rounds.Select(Statistics.Median).ToArray()).ToArray();
        var paired = roundMedians.Select(rounds => Statistics.Median(rounds.Zip(roundMedians[baseline], (a, b) => a / b).ToArray())).ToArray();
        string relative = $"time / {variants[baseline].Name}";
        Console.WriteLine();
        Console.WriteLine($"| variant | median ms | best ms | worst ms | {relative} (of medians) | {relative} (paired) |");
        Console.WriteLine("|---------|----------:|--------:|---------:|------:|------:|");
        for (int v = 0; v < variants.Count; v++)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {variants[v].Name} | {Format(medians[v])} | {Format(all[v].Min())} | {Format(all[v].Max())} | {medians[v] / medians[baseline]:F3} | {paired[v]:F3} |"));
        Console.WriteLine($"({all[0].Length} timed calls per variant; a ratio below 1 is faster than {variants[baseline].Name})");
        return paired;
    }

    static string Format(double seconds) => (seconds * 1000).ToString(seconds < 0.01 ? "F3" : "F1", CultureInfo.InvariantCulture);
}
