using System.Diagnostics;
using System.Globalization;

namespace Detr.Bench;

/// <summary>
/// A PyTorch baseline under bench/baseline/, run by Debian's Python as a subprocess: it writes the benchmark case
/// (weights, inputs, what to check against), says "ready", then times itself on request ("run N" → N seconds), so its
/// iterations interleave with the .NET variants'. Its standard error (warnings) passes through to the console.
/// </summary>
sealed class PythonBaseline : IDisposable
{
    /// <summary>Debian's Python, whose python3-torch, python3-torchvision, python3-scipy and python3-onnx the baselines use.</summary>
    public const string Interpreter = "/usr/bin/python3";

    readonly Process _process;

    PythonBaseline(Process process) => _process = process;

    /// <summary>Starts bench/baseline/<paramref name="script"/> and waits until it has written its case.</summary>
    public static PythonBaseline Start(string script, IEnumerable<string> arguments)
    {
        var process = Launch(script, arguments, redirect: true);
        var baseline = new PythonBaseline(process);
        string? line = process.StandardOutput.ReadLine();
        if (line != "ready")
        {
            baseline.Dispose();
            throw new InvalidOperationException($"{script} did not start (said '{line}', exit code {(process.HasExited ? process.ExitCode : -1)}); see its output above.");
        }
        return baseline;
    }

    /// <summary>Runs bench/baseline/<paramref name="script"/> to completion, its output shown as it goes.</summary>
    public static void Run(string script, IEnumerable<string> arguments)
    {
        using var process = Launch(script, arguments, redirect: false);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed (exit code {process.ExitCode}); see its output above.");
    }

    /// <summary>Seconds of each of <paramref name="count"/> back-to-back timed calls in the baseline.</summary>
    public double[] Time(int count)
    {
        _process.StandardInput.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {count}"));
        _process.StandardInput.Flush();
        string line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The Python baseline stopped; see its output above.");
        return line.Split(' ').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>Resident bytes of the baseline before one call and at the call's peak.</summary>
    public (long Before, long Peak) Peak()
    {
        _process.StandardInput.WriteLine("peak");
        _process.StandardInput.Flush();
        string line = _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The Python baseline stopped; see its output above.");
        var bytes = line.Split(' ').Select(b => long.Parse(b, CultureInfo.InvariantCulture)).ToArray();
        return (bytes[0], bytes[1]);
    }

    static Process Launch(string script, IEnumerable<string> arguments, bool redirect)
    {
        var start = new ProcessStartInfo(Interpreter) { UseShellExecute = false, RedirectStandardInput = redirect, RedirectStandardOutput = redirect };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "bench", "baseline", script));
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        return Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {Interpreter}.");
    }

    /// <summary>Closes the baseline's input, which ends it.</summary>
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
