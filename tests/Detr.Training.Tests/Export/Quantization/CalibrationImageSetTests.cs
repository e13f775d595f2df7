using Detr.MLNet.Data.Synthetic;
using Detr.Training.Export.Quantization;

namespace Detr.Training.Tests.Export.Quantization;

/// <summary>Calibration images from a folder or a COCO file, and the errors that name what is wrong.</summary>
public class CalibrationImageSetTests
{
    [Fact]
    public void ListsAFoldersImagesOrACocoFilesSpreadEvenly()
    {
        using var folder = new TempFolder();
        var summary = SyntheticShapesDataset.Write(folder.Path, new SyntheticShapesOptions { ImageCount = 10, ValidationFraction = 0.2, Width = 32, Height = 32 });
        File.WriteAllText(Path.Combine(folder.Path, "images", "notes.txt"), "not an image");
        string images = Path.Combine(folder.Path, "images");
        var all = CalibrationImageSet.Resolve(images);
        Assert.Equal(10, all.Count);
        Assert.All(all, p => Assert.EndsWith(".png", p));
        Assert.Equal(all.Order(StringComparer.Ordinal), all);
        // 4 of 10: indices 0, 2, 5, 7.
        Assert.Equal([all[0], all[2], all[5], all[7]], CalibrationImageSet.Resolve(images, maxImages: 4));
        var coco = CalibrationImageSet.Resolve(summary.TrainAnnotations);
        Assert.Equal(summary.TrainImages, coco.Count);
        Assert.All(coco, p => Assert.True(File.Exists(p), p));
    }

    [Fact]
    public void EmptyOrMissingSourcesAreErrorsNamingThem()
    {
        using var folder = new TempFolder();
        string empty = Path.Combine(folder.Path, "empty");
        Directory.CreateDirectory(empty);
        File.WriteAllText(Path.Combine(empty, "readme.md"), "no pictures");
        var none = Assert.Throws<InvalidDataException>(() => CalibrationImageSet.Resolve(empty));
        Assert.Contains(empty, none.Message);
        string missing = Path.Combine(folder.Path, "missing");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => CalibrationImageSet.Resolve(missing)).Message);
        string text = Path.Combine(folder.Path, "list.txt");
        File.WriteAllText(text, "a.png");
        Assert.Contains(text, Assert.Throws<ArgumentException>(() => CalibrationImageSet.Resolve(text)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => CalibrationImageSet.Spread(["a"], 0));
    }
}
