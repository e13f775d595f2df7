namespace Detr.Notebooks.Tests;

/// <summary>The notebook runner fails the way a reader needs: which cell, its source, the kernel's error.</summary>
[Collection(PackagesCollection.Name)]
public class NotebookKernelTests(LocalPackageFeed feed)
{
    static string Notebook(string folder, params string[] cells)
    {
        string Cell(string source) => $$"""
            { "cell_type": "code", "execution_count": null, "outputs": [], "source": [{{System.Text.Json.JsonSerializer.Serialize(source)}}],
              "metadata": { "polyglot_notebook": { "kernelName": "csharp" } } }
            """;
        string path = Path.Combine(folder, "test.ipynb");
        File.WriteAllText(path, $$"""
            { "cells": [ { "cell_type": "markdown", "metadata": {}, "source": ["# A title"] }, {{string.Join(",", cells.Select(Cell))}} ],
              "metadata": { "kernelspec": { "display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp" },
                            "polyglot_notebook": { "kernelInfo": { "defaultKernelName": "csharp", "items": [ { "name": "csharp" } ] } } },
              "nbformat": 4, "nbformat_minor": 2 }
            """);
        return path;
    }

    [Theory]
    [InlineData("throw new InvalidOperationException(\"the cell broke\");", "the cell broke")]
    [InlineData("int y = x + undefinedName;", "CS0103")]
    public async Task AFailingCellStopsTheRunNamingItself(string failing, string error)
    {
        string folder = Directory.CreateTempSubdirectory("detr-notebook-kernel-").FullName;
        try
        {
            string path = Notebook(folder, "int x = 1;", failing, "throw new Exception(\"never reached\");");
            var failure = await Assert.ThrowsAsync<NotebookKernel.CellFailedException>(() =>
                NotebookKernel.RunAsync(path, feed, new Dictionary<string, string?>(), TimeSpan.FromMinutes(1)));
            Assert.Contains("cell 2 failed", failure.Message);
            Assert.Contains(error, failure.Message);
            Assert.Contains(failing, failure.Message);
            Assert.DoesNotContain("never reached", failure.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void TheFeedReplacesTheNotebooksSourceAndOwnVersionsOnly()
    {
        string cell = "#i \"nuget: ../artifacts/feed\"\n#r \"nuget: Detr.Training, 0.1.0\"\n#r \"nuget: TorchSharp-cpu, 0.107.0\"";
        Assert.Equal($"#i \"nuget: {feed.Folder}\"\n#r \"nuget: Detr.Training, {feed.Version}\"\n#r \"nuget: TorchSharp-cpu, 0.107.0\"",
            NotebookKernel.PointAtFeed(cell, feed));
    }
}
