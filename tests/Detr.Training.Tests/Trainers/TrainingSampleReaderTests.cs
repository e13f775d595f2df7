using Detr.Tests.Shared;
using Detr.Training.Trainers;

namespace Detr.Training.Tests.Trainers;

public class TrainingSampleReaderTests
{
    [Fact]
    public void BombIsRefusedNamingTheFileAndTheLimit()
    {
        using var folder = new TempFolder();
        var (_, data, summary) = TinyTraining.Dataset(folder.Path, images: 2, size: 32);
        string victim = Directory.GetFiles(folder.Path, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        File.WriteAllBytes(victim, CraftedPng.Claiming(60000, 60000));
        var e = Assert.Throws<InvalidDataException>(() => TrainingSampleReader.Read(data, "Image", "Labels", "Boxes"));
        Assert.Contains(Path.GetFileName(victim), e.Message);
        Assert.Contains("60000x60000", e.Message);
        Assert.Contains("MaxImagePixels", e.Message);
        Assert.NotNull(summary);
    }

    [Fact]
    public void LimitComesFromTheCaller()
    {
        using var folder = new TempFolder();
        var (_, data, _) = TinyTraining.Dataset(folder.Path, images: 2, size: 32);
        Assert.Equal(2, TrainingSampleReader.Read(data, "Image", "Labels", "Boxes", maxImagePixels: 32 * 32).Samples.Count);
        var e = Assert.Throws<InvalidDataException>(() => TrainingSampleReader.Read(data, "Image", "Labels", "Boxes", maxImagePixels: 32 * 32 - 1));
        Assert.Contains("32x32", e.Message);
    }

    [Fact]
    public void SkippingLeavesOutTheUnreadableRowAndSaysWhich()
    {
        using var folder = new TempFolder();
        var (_, data, _) = TinyTraining.Dataset(folder.Path, images: 3, size: 32);
        string victim = Directory.GetFiles(folder.Path, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).First();
        var bytes = File.ReadAllBytes(victim);
        File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]); // truncated
        Assert.Throws<InvalidDataException>(() => TrainingSampleReader.Read(data, "Image", "Labels", "Boxes"));
        var skipped = new List<string>();
        var result = TrainingSampleReader.Read(data, "Image", "Labels", "Boxes", onUnreadable: skipped.Add);
        Assert.Equal(2, result.Samples.Count);
        Assert.Single(skipped);
        Assert.Contains(Path.GetFileName(victim), skipped[0]);
    }
}
