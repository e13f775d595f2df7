using System.Globalization;

namespace Detr.Bench;

/// <summary>
/// Peak resident memory of each variant's first call, measured before any timing so that what a call allocates once
/// (ONNX Runtime's arena, libtorch's and Python's allocator caches) shows in it. The .NET variants share one process
/// (the TorchSharp model and the ONNX Runtime session are both loaded), so "resident before" counts both models;
/// "above idle" is what the call itself added.
/// </summary>
static class MemoryTable
{
    public static void Print(IReadOnlyList<TimedVariant> variants)
    {
        Console.WriteLine();
        Console.WriteLine("| variant (first call) | resident before the call (MB) | peak during the call (MB) | above idle (MB) |");
        Console.WriteLine("|---------|------:|------:|------:|");
        foreach (var variant in variants)
        {
            var (before, peak) = variant.Peak();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {variant.Name} | {before / 1e6:F0} | {peak / 1e6:F0} | {(peak - before) / 1e6:F0} |"));
        }
    }
}
