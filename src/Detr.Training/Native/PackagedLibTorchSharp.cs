using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Xml.Linq;

namespace Detr.Training.Native;

/// <summary>
/// Loads TorchSharp's native library where an application uses it straight from the NuGet cache (Polyglot notebooks,
/// F# Interactive), before TorchSharp tries: no build ran there, so the build's fix for older libstdc++
/// (buildTransitive/Detr.Training.targets) never applied, and TorchSharp's own fallback fails twice on Debian 12:
/// <c>libLibTorchSharp.so</c> asks for <c>GLIBCXX_3.4.32</c>, and a distribution libtorch in /usr/lib (Debian's
/// libtorch-dev) wins TorchSharp's by-name load of <c>torch_cpu</c> over the package's. Here libtorch is loaded from
/// the libtorch-cpu package that TorchSharp-cpu names, by full path, and then <c>libLibTorchSharp.so</c>, from a
/// copy with that requirement marked weak (in the temp folder; the NuGet cache is never written) where the system
/// lacks it. TorchSharp's later loads by name then find these by their sonames.
/// </summary>
internal static class PackagedLibTorchSharp
{
    const string LibTorchSharp = "libLibTorchSharp.so", NativeFolder = "runtimes/linux-x64/native", Requirement = "GLIBCXX_3.4.32";

    /// <summary>What to load: TorchSharp's library and the folder of the libtorch it was built against.</summary>
    internal sealed record Plan(string TorchSharpVersion, string LibTorchSharpPath, string LibTorchFolder);

    /// <summary>Runs once, when Detr.Training is first used; does nothing in a built application.</summary>
    [ModuleInitializer]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2255", Justification = "Must run before TorchSharp's static constructor, which any Detr.Training entry point may trigger.")]
    internal static void LoadBeforeTorchSharp()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64
            || Environment.GetEnvironmentVariable("DETR_SKIP_LIBTORCHSHARP_PATCH") is "1" or "true")
            return;
        var plan = Find(typeof(TorchSharp.torch).Assembly.Location, AppContext.BaseDirectory);
        if (plan is null)
            return;
        try
        {
            Load(plan, ElfVersionRequirement.SystemLibStdCxxDefines(Requirement), Path.GetTempPath());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DllNotFoundException or BadImageFormatException)
        {
            // TorchSharp then tries its own way and reports its own trace; this says why the fix did not apply.
            Console.Error.WriteLine($"Detr.Training: could not load {plan.LibTorchSharpPath} with libtorch from {plan.LibTorchFolder}: {e.Message}");
        }
    }

    /// <summary>
    /// The plan for a TorchSharp assembly at <paramref name="torchSharpAssembly"/>, or null where TorchSharp can load
    /// on its own: an application folder that carries <c>libLibTorchSharp.so</c> (a build, which the build fix covers),
    /// TorchSharp not in a NuGet package folder, no TorchSharp-cpu package naming its libtorch, or a CUDA libtorch
    /// restored beside it (the backend is then TorchSharp's choice).
    /// </summary>
    internal static Plan? Find(string torchSharpAssembly, string applicationFolder)
    {
        if (string.IsNullOrEmpty(torchSharpAssembly)
            || File.Exists(Path.Combine(applicationFolder, LibTorchSharp))
            || File.Exists(Path.Combine(applicationFolder, NativeFolder, LibTorchSharp)))
            return null;
        // <packages>/torchsharp/<version>/lib/<framework>/TorchSharp.dll
        var package = Directory.GetParent(torchSharpAssembly)?.Parent?.Parent;
        var packages = package?.Parent?.Parent;
        if (package is null || packages is null || !package.Parent!.Name.Equals("torchsharp", StringComparison.OrdinalIgnoreCase))
            return null;
        string library = Path.Combine(package.FullName, NativeFolder, LibTorchSharp);
        string nuspec = Path.Combine(packages.FullName, "torchsharp-cpu", package.Name, "torchsharp-cpu.nuspec");
        if (!File.Exists(library) || !File.Exists(nuspec) || Directory.EnumerateDirectories(packages.FullName, "libtorch-cuda-*").Any())
            return null;
        string? libTorchVersion = XDocument.Load(nuspec).Descendants().Where(e => e.Name.LocalName == "dependency")
            .FirstOrDefault(e => string.Equals((string?)e.Attribute("id"), "libtorch-cpu", StringComparison.OrdinalIgnoreCase))?.Attribute("version")?.Value;
        if (libTorchVersion is null)
            return null;
        string libTorch = Path.Combine(packages.FullName, "libtorch-cpu-linux-x64", libTorchVersion.Trim('[', ']', '(', ')'), NativeFolder);
        return File.Exists(Path.Combine(libTorch, "libtorch_cpu.so")) ? new Plan(package.Name, library, libTorch) : null;
    }

    /// <summary>Loads libtorch and then TorchSharp's library (a weak-marked copy where the system lacks the requirement).</summary>
    internal static void Load(Plan plan, bool systemHasRequirement, string tempFolder)
    {
        // libLibTorchSharp.so needs these three; loaded first by full path, they are what its load links to.
        foreach (string name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
            NativeLibrary.Load(Path.Combine(plan.LibTorchFolder, name));
        NativeLibrary.Load(systemHasRequirement ? plan.LibTorchSharpPath : WeakCopy(plan, tempFolder));
    }

    /// <summary>
    /// A copy of <c>libLibTorchSharp.so</c> whose <c>GLIBCXX_3.4.32</c> requirement is weak, made once per library
    /// content under <paramref name="tempFolder"/> and reused; the original where it asks for no such version.
    /// </summary>
    internal static string WeakCopy(Plan plan, string tempFolder)
    {
        byte[] elf = File.ReadAllBytes(plan.LibTorchSharpPath);
        if (!ElfVersionRequirement.TrySetWeak(elf, Requirement, out bool changed, out string problem))
            throw new IOException($"{plan.LibTorchSharpPath}: {problem}");
        if (!changed)
            return plan.LibTorchSharpPath;
        string hash = Convert.ToHexString(SHA256.HashData(elf))[..16].ToLowerInvariant();
        string folder = Path.Combine(tempFolder, "detr-mlnet", $"libtorchsharp-{plan.TorchSharpVersion}-{hash}");
        string copy = Path.Combine(folder, LibTorchSharp);
        if (File.Exists(copy) && new FileInfo(copy).Length == elf.Length)
            return copy;
        Directory.CreateDirectory(folder);
        // Written beside and renamed: a process loading the copy at the same moment never sees half a file.
        string temp = $"{copy}.{Environment.ProcessId}.tmp";
        File.WriteAllBytes(temp, elf);
        File.Move(temp, copy, overwrite: true);
        return copy;
    }
}
