using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;

namespace Detr.Bench;

/// <summary>What a result was measured on: cores, processor, runtime versions and the load from other processes.</summary>
static class MachineReport
{
    public static void Print()
    {
        string cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
            : RuntimeInformation.ProcessArchitecture.ToString();
        Console.WriteLine("Detr.Bench");
        Console.WriteLine($"  machine: {Environment.ProcessorCount} logical cores visible, {cpu}");
        Console.WriteLine($"  runtime: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}");
        Console.WriteLine($"  load average at start: {LoadAverage()}");
        Console.WriteLine($"  ONNX Runtime {OrtEnv.Instance().GetVersionString()} (managed {Version(typeof(InferenceSession).Assembly)}), " +
            $"ML.NET {Version(typeof(MLContext).Assembly)}, TorchSharp {Version(typeof(TorchSharp.torch).Assembly)}");
    }

    // Other processes on the machine show up here; timings on a busy machine are noisy.
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + " (1, 5, 15 min)" : "n/a";

    static string Version(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? assembly.GetName().Version?.ToString() ?? "?";
}
