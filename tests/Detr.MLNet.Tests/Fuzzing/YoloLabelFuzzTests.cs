using System.Text;
using Detr.MLNet.Data;
using Detr.Tests.Shared;
using Xunit.Abstractions;

namespace Detr.MLNet.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of a valid YOLO label file and of its class list: each either loads, or fails with
/// <see cref="InvalidDataException"/> naming the file mutated; nothing crashes, hangs or allocates beyond a bound.
/// </summary>
public class YoloLabelFuzzTests(ITestOutputHelper output)
{
    static readonly int Cases = FuzzCase.Count(3000);

    const string Classes = "circle\nsquare\ntriangle\n";

    static string ValidLabels()
    {
        var text = new StringBuilder();
        for (int i = 0; i < 8; i++)
            text.Append($"{i % 3} {0.1 + 0.1 * i:0.###} {0.9 - 0.1 * i:0.###} {0.05 + 0.02 * i:0.###} 0.125\n");
        // A blank line and a box reaching past the edge (clipped) are part of a valid file too.
        return text.Append("\n2 0.95 0.5 0.3 1e-1\n").ToString();
    }

    /// <summary>A folder with images/ (one picture), labels/ and classes.txt; each case renames the picture to its own name.</summary>
    sealed class Layout : IDisposable
    {
        readonly TempFolder _folder = new();
        string _image;

        public Layout()
        {
            Directory.CreateDirectory(Images);
            Directory.CreateDirectory(Labels);
            _image = Fixtures.WritePng(Images, "clean.png", 40, 30, 1);
        }

        public string Images => Path.Combine(_folder.Path, "images");

        public string Labels => Path.Combine(_folder.Path, "labels");

        public string ClassesFile(int index) => Path.Combine(_folder.Path, $"classes{index}.txt");

        /// <summary>Only the case's picture, label file and class list are in place.</summary>
        public void Prepare(int index, byte[] labels, byte[] classes)
        {
            string image = Path.Combine(Images, $"case{index}.png");
            File.Move(_image, image);
            _image = image;
            foreach (var old in Directory.GetFiles(Labels).Concat(Directory.GetFiles(_folder.Path, "classes*.txt")))
                File.Delete(old);
            File.WriteAllBytes(Path.Combine(Labels, $"case{index}.txt"), labels);
            File.WriteAllBytes(ClassesFile(index), classes);
        }

        public DetectionDataset Read(int index) => YoloDatasetReader.Read(Images, Labels, ClassesFile(index));

        public void Dispose() => _folder.Dispose();
    }

    [Fact]
    public void MutatedYoloLabelsLoadOrFailWithInvalidData()
    {
        using var layout = new Layout();
        var valid = Encoding.UTF8.GetBytes(ValidLabels());
        var classes = Encoding.UTF8.GetBytes(Classes);
        layout.Prepare(-1, valid, classes);
        Assert.Equal(9, Assert.Single(layout.Read(-1).Images).Boxes.Count);
        var (loaded, refused) = FuzzCase.RunAll("yolo labels", Mutations.Of(valid, Cases, seed: 61, text: true), mutation =>
        {
            layout.Prepare(mutation.Index, mutation.Bytes, classes);
            return Path.Combine(layout.Labels, $"case{mutation.Index}.txt");
        }, path => layout.Read(int.Parse(Path.GetFileNameWithoutExtension(path)[4..])), TimeSpan.FromSeconds(10), 64L << 20);
        output.WriteLine($"yolo labels: {Cases} cases, {loaded} loaded, {refused} refused (InvalidDataException)");
        Assert.True(refused > Cases / 4, "the mutations should mostly break the file");
    }

    [Fact]
    public void MutatedYoloClassListsLoadOrFailWithInvalidData()
    {
        using var layout = new Layout();
        var labels = Encoding.UTF8.GetBytes(ValidLabels());
        var valid = Encoding.UTF8.GetBytes(Classes);
        int count = Cases / 3;
        var (loaded, refused) = FuzzCase.RunAll("yolo classes", Mutations.Of(valid, count, seed: 62, text: true), mutation =>
        {
            layout.Prepare(mutation.Index, labels, mutation.Bytes);
            return layout.ClassesFile(mutation.Index);
        }, path => layout.Read(int.Parse(Path.GetFileNameWithoutExtension(path)[7..])), TimeSpan.FromSeconds(10), 64L << 20);
        output.WriteLine($"yolo classes: {count} cases, {loaded} loaded, {refused} refused (InvalidDataException)");
        // A class list has few ways to be wrong: fewer names than the labels use, or none at all.
        Assert.True(refused > 0, "some mutations should cut the class list short");
    }
}
