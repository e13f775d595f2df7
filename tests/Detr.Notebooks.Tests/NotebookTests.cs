using System.Buffers.Binary;

namespace Detr.Notebooks.Tests;

/// <summary>
/// Each notebook runs to the end in the C# kernel of Polyglot Notebooks, restoring the freshly packed packages with
/// its own <c>#r "nuget: ..."</c> lines, on the tiny preset; the cells that draw pictures show PNGs.
/// </summary>
[Collection(PackagesCollection.Name)]
public class NotebookTests(LocalPackageFeed feed)
{
    /// <param name="notebook">The notebook in notebooks/.</param>
    /// <param name="pictureCells">The cells (positions among all cells, as the editor numbers them) that show PNGs.</param>
    [Theory]
    [InlineData("01-score-pretrained.ipynb", new[] { 9 })]
    [InlineData("02-train-custom.ipynb", new[] { 7, 10 })]
    [InlineData("03-evaluate.ipynb", new[] { 7, 9 })]
    public async Task NotebookRunsInTheCSharpKernel(string notebook, int[] pictureCells)
    {
        // The notebooks' work folders (under the temp folder), the kernel's restore projects and the weak-marked copy
        // of TorchSharp's library all land in a temp folder of the test's own, deleted afterwards.
        string temp = Directory.CreateTempSubdirectory("detr-notebook-").FullName;
        string restoreCache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".packagemanagement", "nuget", "Cache");
        var cachedBefore = Files(restoreCache);
        try
        {
            var cells = await NotebookKernel.RunAsync(Path.Combine(RepositoryLayout.Root, "notebooks", notebook), feed,
                new Dictionary<string, string?> { ["DETR_NOTEBOOK_PRESET"] = "tiny", ["TMPDIR"] = temp + Path.DirectorySeparatorChar },
                TimeSpan.FromMinutes(10));

            Assert.Contains(cells, c => c.Source.Contains($"nuget: Detr.MLNet, {feed.Version}", StringComparison.Ordinal));
            foreach (int index in pictureCells)
            {
                var cell = Assert.Single(cells, c => c.Index == index);
                Assert.True(cell.Pngs.Count > 0, $"cell {index} showed no picture:\n{cell.Source}");
                foreach (var png in cell.Pngs)
                {
                    var (width, height) = PngSize(png);
                    Assert.True(width >= 32 && height >= 32, $"cell {index} showed a {width}x{height} picture");
                }
            }
        }
        finally
        {
            // The kernel's package manager keeps a note of each restore under the user profile; these name a feed
            // that is deleted with the run.
            foreach (var file in Files(restoreCache).Except(cachedBefore))
                File.Delete(file);
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { }
        }
    }

    static HashSet<string> Files(string folder) => Directory.Exists(folder) ? [.. Directory.GetFiles(folder)] : [];

    // The size in a PNG's IHDR chunk, after checking the signature: the picture is a real PNG, not an empty tag.
    static (int Width, int Height) PngSize(byte[] png)
    {
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.True(png.Length > 33 && png.AsSpan(0, 8).SequenceEqual(signature) && png.AsSpan(12, 4).SequenceEqual("IHDR"u8),
            "not a PNG");
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }
}
