using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace Detr.Notebooks.Tests;

/// <summary>
/// Runs a Polyglot notebook as the editor does: the .ipynb read by Microsoft.DotNet.Interactive.Documents, each code
/// cell in order submitted to the C# kernel (inside a composite kernel, with <c>#r "nuget: ..."</c> and <c>#i</c>
/// resolved by the kernel's own package management and the <c>display</c>/<c>HTML</c> helpers), in the notebook's
/// folder. The notebook's package source and the project's own package versions are pointed at the test's feed.
/// </summary>
public static partial class NotebookKernel
{
    /// <summary>What one code cell did: its position among all the notebook's cells, its source, its events.</summary>
    public sealed record Cell(int Index, string Source, IReadOnlyList<KernelEvent> Events)
    {
        /// <summary>The PNGs the cell showed: image/png values, or &lt;img&gt; tags with PNG data in HTML values.</summary>
        public IReadOnlyList<byte[]> Pngs => Events.OfType<DisplayEvent>().SelectMany(e => e.FormattedValues).SelectMany(PngsIn).ToArray();
    }

    /// <summary>A cell failed: its index, its source and the kernel's error.</summary>
    public sealed class CellFailedException(Cell cell, string error)
        : Exception($"cell {cell.Index} failed:\n{error}\n--- cell {cell.Index} ---\n{cell.Source}");

    /// <summary>
    /// Runs every code cell of <paramref name="notebookPath"/>, stopping at the first that fails (a CommandFailed
    /// event or an error diagnostic) with <see cref="CellFailedException"/>. The kernel runs in this process: the
    /// working directory and <paramref name="environment"/> are set for the run and restored after it.
    /// </summary>
    public static async Task<IReadOnlyList<Cell>> RunAsync(string notebookPath, LocalPackageFeed feed,
        IReadOnlyDictionary<string, string?> environment, TimeSpan cellTimeout)
    {
        InteractiveDocument notebook;
        using (var stream = File.OpenRead(notebookPath))
            notebook = Notebook.Read(stream, new KernelInfoCollection { new("csharp", languageName: "C#", aliases: ["c#", "C#"]) });

        string previousDirectory = Directory.GetCurrentDirectory();
        var previousEnvironment = environment.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        Directory.SetCurrentDirectory(Path.GetDirectoryName(Path.GetFullPath(notebookPath))!);
        foreach (var (key, value) in environment)
            Environment.SetEnvironmentVariable(key, value);
        try
        {
            var kernel = new CompositeKernel { CSharp() };
            kernel.DefaultKernelName = "csharp";
            lock (Kernels)
                Kernels.Add(kernel);
            var cells = new List<Cell>();
            for (int index = 0; index < notebook.Elements.Count; index++)
            {
                var element = notebook.Elements[index];
                if (element.KernelName == "markdown")
                    continue;
                string source = PointAtFeed(element.Contents, feed);
                using var timeout = new CancellationTokenSource(cellTimeout);
                var result = await kernel.SendAsync(new SubmitCode(source, element.KernelName), timeout.Token);
                var cell = new Cell(index, source, result.Events);
                cells.Add(cell);
                if (Error(result.Events) is string error)
                    throw new CellFailedException(cell, error);
            }
            return cells;
        }
        finally
        {
            Directory.SetCurrentDirectory(previousDirectory);
            foreach (var (key, value) in previousEnvironment)
                Environment.SetEnvironmentVariable(key, value);
        }
    }

    // Never disposed: Polyglot keeps its kernel for the life of its process, and so must this one. What a notebook made
    // is finalized later, and a finalizer's first call into a native library (SkiaSharp's sk_fontstyle_delete, for one)
    // finds that library through the kernel's package resolver, which disposing the kernel removes: the process dies.
    static readonly List<Kernel> Kernels = [];

    // As the notebook host builds it: resolved packages' assemblies become the script's references.
    static CSharpKernel CSharp() => new CSharpKernel()
        .UseNugetDirective((kernel, packages) =>
        {
            kernel.AddAssemblyReferences(packages.SelectMany(p => p.AssemblyPaths));
            return Task.CompletedTask;
        })
        .UseKernelHelpers();

    static string? Error(IReadOnlyList<KernelEvent> events)
    {
        var errors = events.OfType<DiagnosticsProduced>().SelectMany(d => d.Diagnostics)
            .Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(d => d.ToString())
            .Concat(events.OfType<CommandFailed>().Select(f => f.Exception?.ToString() ?? f.Message))
            .ToArray();
        return errors.Length == 0 ? null : string.Join('\n', errors);
    }

    /// <summary>The cell with its package source replaced by the feed and the project's packages at the feed's version.</summary>
    internal static string PointAtFeed(string source, LocalPackageFeed feed)
    {
        source = PackageSource().Replace(source, $"#i \"nuget: {feed.Folder}\"");
        return PackageReference().Replace(source, m => FileBasedApp.OwnPackages.Contains(m.Groups[1].Value)
            ? $"#r \"nuget: {m.Groups[1].Value}, {feed.Version}\""
            : m.Value);
    }

    static IEnumerable<byte[]> PngsIn(Microsoft.DotNet.Interactive.Formatting.FormattedValue value)
    {
        if (value.MimeType == "image/png")
            yield return Convert.FromBase64String(value.Value);
        else if (value.MimeType == "text/html")
            foreach (Match m in PngDataUri().Matches(value.Value))
                yield return Convert.FromBase64String(m.Groups[1].Value);
    }

    [GeneratedRegex(@"#i\s+""nuget:[^""]*""")]
    private static partial Regex PackageSource();

    [GeneratedRegex(@"#r\s+""nuget:\s*([^,""\s]+)\s*,\s*[^""]*""")]
    private static partial Regex PackageReference();

    [GeneratedRegex("""src\s*=\s*['"]data:image/png;base64,([A-Za-z0-9+/=]+)['"]""")]
    private static partial Regex PngDataUri();
}
