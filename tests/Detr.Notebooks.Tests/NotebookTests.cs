namespace Detr.Notebooks.Tests;

/// <summary>
/// Proves each notebook runs: its C# cells become a file-based app that restores the freshly packed packages, and
/// the app must exit 0 on the tiny preset.
/// </summary>
[Collection(PackagesCollection.Name)]
public class NotebookTests(LocalPackageFeed feed)
{
    [Theory]
    [InlineData("01-score-pretrained.ipynb")]
    [InlineData("02-train-custom.ipynb")]
    [InlineData("03-evaluate.ipynb")]
    public void NotebookRunsToTheEnd(string notebook)
    {
        string source = FileBasedApp.FromNotebook(Path.Combine(RepositoryLayout.Root, "notebooks", notebook), feed);
        var result = RunApp(source, Path.GetFileNameWithoutExtension(notebook));
        Assert.True(result.ExitCode == 0, $"{notebook} failed (exit {result.ExitCode}):\n{result.Output}\n--- app ---\n{source}");
    }

    internal static ProcessRunner.Result RunApp(string source, string name)
    {
        var folder = Directory.CreateTempSubdirectory("detr-app-").FullName;
        try
        {
            string app = Path.Combine(folder, name.Replace('-', '_') + ".cs");
            File.WriteAllText(app, source);
            // Run from notebooks/ so the notebooks' relative paths resolve as they do in the editor.
            return FileBasedApp.Run(app, "", Path.Combine(RepositoryLayout.Root, "notebooks"), new Dictionary<string, string> { ["DETR_NOTEBOOK_PRESET"] = "tiny" });
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
