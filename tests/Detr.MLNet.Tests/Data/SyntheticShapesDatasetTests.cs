using Detr.MLNet.Data;
using Detr.MLNet.Data.Synthetic;

namespace Detr.MLNet.Tests.Data;

public class SyntheticShapesDatasetTests
{
    [Fact]
    public void SameSeedWritesTheSameBytes()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        var options = new SyntheticShapesOptions { ImageCount = 6, Seed = 3 };
        var first = SyntheticShapesDataset.Write(a.Path, options);
        var second = SyntheticShapesDataset.Write(b.Path, options);
        Assert.Equal(File.ReadAllText(first.TrainAnnotations).Replace(a.Path, ""), File.ReadAllText(second.TrainAnnotations).Replace(b.Path, ""));
        for (int i = 0; i < first.ImagePaths.Count; i++)
            Assert.Equal(File.ReadAllBytes(first.ImagePaths[i]), File.ReadAllBytes(second.ImagePaths[i]));
    }

    [Fact]
    public void SplitsAreDisjointCocoFilesTheReaderAccepts()
    {
        using var folder = new TempFolder();
        var summary = SyntheticShapesDataset.Write(folder.Path, new SyntheticShapesOptions { ImageCount = 8, ValidationFraction = 0.25 });
        var train = CocoDatasetReader.Read(summary.TrainAnnotations, folder.Path, MissingImagePolicy.Fail);
        var validation = CocoDatasetReader.Read(summary.ValidationAnnotations, folder.Path, MissingImagePolicy.Fail);
        Assert.Equal((6, 2), (train.Images.Count, validation.Images.Count));
        Assert.Empty(train.Images.Select(i => i.Id).Intersect(validation.Images.Select(i => i.Id)));
        Assert.Equal(["circle", "square", "triangle"], train.Categories.Select(c => c.Name));
        Assert.True(train.Report.IsClean);
        Assert.All(train.Images.SelectMany(i => i.Boxes), b => Assert.True(b.X0 >= 0 && b.Y0 >= 0 && b.X1 <= 128 && b.Y1 <= 128 && b.X1 > b.X0));
    }

    [Fact]
    public void BoxesAreTheShapesPixelExtent()
    {
        using var folder = new TempFolder();
        var summary = SyntheticShapesDataset.Write(folder.Path, new SyntheticShapesOptions { ImageCount = 40, MinObjects = 1, MaxObjects = 1, Seed = 11, ValidationFraction = 0.1 });
        var dataset = CocoDatasetReader.Read(summary.TrainAnnotations, folder.Path);
        int checkedImages = 0;
        foreach (var image in dataset.Images)
        {
            var rgb = SyntheticShapesDataset.ReadImage(image.Path);
            (byte, byte, byte) At(int x, int y) { int i = (y * rgb.Width + x) * 3; return (rgb.Pixels[i], rgb.Pixels[i + 1], rgb.Pixels[i + 2]); }
            var corners = new[] { At(0, 0), At(rgb.Width - 1, 0), At(0, rgb.Height - 1), At(rgb.Width - 1, rgb.Height - 1) };
            if (corners.Distinct().Count() != 1)
                continue; // only solid backgrounds let us find the shape by colour
            var box = Assert.Single(image.Boxes);
            var background = corners[0];
            if (box.X0 == 0 && box.Y0 == 0 || box.X1 == rgb.Width && box.Y1 == rgb.Height)
                continue; // the shape touches a corner used as the background sample
            int left = int.MaxValue, top = int.MaxValue, right = -1, bottom = -1;
            for (int y = 0; y < rgb.Height; y++)
                for (int x = 0; x < rgb.Width; x++)
                    if (At(x, y) != background)
                        (left, top, right, bottom) = (Math.Min(left, x), Math.Min(top, y), Math.Max(right, x + 1), Math.Max(bottom, y + 1));
            Assert.InRange(left - box.X0, -1, 1);
            Assert.InRange(top - box.Y0, -1, 1);
            Assert.InRange(right - box.X1, -1, 1);
            Assert.InRange(bottom - box.Y1, -1, 1);
            checkedImages++;
        }
        Assert.True(checkedImages >= 5, $"only {checkedImages} images had a solid background");
    }
}
