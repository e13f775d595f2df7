using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Detr.Notebooks.Tests;

/// <summary>
/// Turns a Polyglot notebook's C# cells, in order, into one .NET file-based app: <c>#r "nuget: X, V"</c> becomes
/// <c>#:package X@V</c> (V replaced by the feed's version for the project's own packages), <c>#i "nuget: path"</c>
/// becomes the local feed, <c>using</c> directives move to the top, type declarations to the end (C# wants top-level
/// statements first), a cell's trailing expression is displayed, and <c>display</c>/<c>HTML</c> get console stand-ins.
/// </summary>
public static partial class FileBasedApp
{
    static readonly string[] OwnPackages = ["Detr.MLNet", "Detr.Training", "Detr.Cli"];

    /// <summary>The app's source for <paramref name="notebookPath"/>.</summary>
    public static string FromNotebook(string notebookPath, LocalPackageFeed feed)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(notebookPath));
        var cells = doc.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code")
            .Select(c => string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString())));
        return Assemble(cells, feed);
    }

    /// <summary>A script (already a file-based app) pointed at the feed's version of the project's packages.</summary>
    public static string FromScript(string scriptPath, LocalPackageFeed feed)
    {
        var text = File.ReadAllText(scriptPath);
        text = PackageDirective().Replace(text, m => OwnPackages.Contains(m.Groups[1].Value) ? $"#:package {m.Groups[1].Value}@{feed.Version}" : m.Value);
        return $"#:property RestoreAdditionalProjectSources={feed.Folder}\n" + text;
    }

    /// <summary>
    /// Runs the app at <paramref name="appPath"/> with <c>dotnet run</c>, its build output in a folder of its own that is
    /// deleted afterwards: the SDK's default (one folder per app under the user's profile, never cleaned) keeps a copy of
    /// libtorch for every platform per app, gigabytes that once ran a CI machine out of disk. Hard links to the NuGet
    /// cache keep even the transient copy small.
    /// </summary>
    internal static ProcessRunner.Result Run(string appPath, string arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        var artifacts = Directory.CreateTempSubdirectory("detr-app-build-").FullName;
        try
        {
            return ProcessRunner.Run("dotnet",
                $"run --artifacts-path \"{artifacts}\" -p:CreateHardLinksForCopyLocalIfPossible=true \"{appPath}\" {arguments}",
                workingDirectory, TimeSpan.FromMinutes(10), environment);
        }
        finally
        {
            try { Directory.Delete(artifacts, recursive: true); } catch (IOException) { }
        }
    }

    static string Assemble(IEnumerable<string> cells, LocalPackageFeed feed)
    {
        var directives = new List<string> { "#:property PublishAot=false", $"#:property RestoreAdditionalProjectSources={feed.Folder}" };
        var usings = new List<string>();
        var statements = new StringBuilder();
        var types = new StringBuilder();
        foreach (var cell in cells)
        {
            var lines = cell.Replace("\r\n", "\n").Split('\n');
            var body = new List<string>();
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                var reference = NugetReference().Match(line);
                if (reference.Success)
                {
                    string id = reference.Groups[1].Value, version = reference.Groups[2].Value;
                    directives.Add($"#:package {id}@{(OwnPackages.Contains(id) ? feed.Version : version)}");
                    continue;
                }
                if (NugetSource().IsMatch(line))
                    continue; // the feed is already a restore source
                if (UsingDirective().IsMatch(line))
                {
                    usings.Add(line.Trim());
                    continue;
                }
                if (TypeDeclaration().IsMatch(line))
                {
                    i = CopyBlock(lines, i, types);
                    continue;
                }
                body.Add(line);
            }
            DisplayTrailingExpression(body);
            statements.AppendLine(string.Join('\n', body));
        }
        var app = new StringBuilder();
        foreach (var d in directives.Distinct())
            app.AppendLine(d);
        foreach (var u in usings.Distinct())
            app.AppendLine(u);
        app.AppendLine(statements.ToString());
        app.AppendLine("static void display(object? value) => Console.WriteLine(value switch");
        app.AppendLine("{");
        app.AppendLine("    string s when s.Length > 300 => $\"[html, {s.Length} characters]\",");
        app.AppendLine("    System.Collections.IEnumerable e and not string => string.Join(Environment.NewLine, e.Cast<object?>()),");
        app.AppendLine("    _ => value,");
        app.AppendLine("});");
        app.AppendLine("static string HTML(string html) => html;");
        app.Append(types);
        return app.ToString();
    }

    // Polyglot shows a cell's last expression; in a program it must become a statement.
    static void DisplayTrailingExpression(List<string> body)
    {
        int last = body.FindLastIndex(l => l.Trim().Length > 0);
        if (last < 0)
            return;
        string trimmed = body[last].TrimEnd();
        if (trimmed.EndsWith(';') || trimmed.EndsWith('}') || trimmed.EndsWith('{') || trimmed.TrimStart().StartsWith("//"))
            return;
        body[last] = $"display({trimmed});";
    }

    static int CopyBlock(string[] lines, int start, StringBuilder target)
    {
        int depth = 0;
        bool opened = false;
        for (int i = start; i < lines.Length; i++)
        {
            target.AppendLine(lines[i]);
            foreach (char c in lines[i])
            {
                if (c == '{') { depth++; opened = true; }
                else if (c == '}') depth--;
            }
            if ((opened && depth == 0) || (!opened && lines[i].TrimEnd().EndsWith(';')))
                return i;
        }
        return lines.Length - 1;
    }

    [GeneratedRegex("""^\s*#r\s+"nuget:\s*([^,"\s]+)\s*,\s*([^"\s]+)\s*"\s*$""")]
    private static partial Regex NugetReference();

    [GeneratedRegex("""^\s*#i\s+"nuget:""")]
    private static partial Regex NugetSource();

    [GeneratedRegex("""^\s*using\s+(static\s+)?[A-Za-z_][\w.]*(\s*=\s*[\w.<>]+)?\s*;\s*$""")]
    private static partial Regex UsingDirective();

    [GeneratedRegex("""^\s*(public\s+|internal\s+)?(sealed\s+|static\s+|abstract\s+)*(partial\s+)?(class|record|struct|enum|interface)\s+\w+""")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex("""^#:package\s+([\w.]+)@\S+""", RegexOptions.Multiline)]
    private static partial Regex PackageDirective();
}
