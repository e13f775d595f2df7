using Detr.MLNet.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Tests.Data;

public class CocoDatasetTests
{
    // Two images (one missing on disk), sparse category ids 3 and 7, one crowd box, one box past the right edge,
    // one zero-area box.
    const string Json = """
    {
      "images": [ {"id": 10, "file_name": "a.png", "width": 50, "height": 40},
                  {"id": 11, "file_name": "gone.png", "width": 50, "height": 40} ],
      "categories": [ {"id": 7, "name": "square"}, {"id": 3, "name": "circle"} ],
      "annotations": [
        {"id": 1, "image_id": 10, "category_id": 3, "bbox": [5, 6, 10, 8], "area": 70, "iscrowd": 0},
        {"id": 2, "image_id": 10, "category_id": 7, "bbox": [45, 0, 10, 10], "iscrowd": 1},
        {"id": 3, "image_id": 10, "category_id": 7, "bbox": [1, 1, 0, 5]}
      ]
    }
    """;

    static string Write(TempFolder folder, string json, bool withImage = true)
    {
        if (withImage)
            Fixtures.WritePng(folder.Path, "a.png", 50, 40, 1);
        string path = Path.Combine(folder.Path, "annotations.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void LoadsRowsWithKeysBoxesAndCounts()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        var view = ml.Data.LoadFromCocoJson(Write(folder, Json));
        var report = view.Dataset.Report;
        Assert.Equal(1, report.Count(DatasetReadReport.Kinds.MissingImage));
        Assert.Equal(1, report.Count(DatasetReadReport.Kinds.BoxClipped));
        Assert.Equal(1, report.Count(DatasetReadReport.Kinds.ZeroAreaBox));

        var rows = ml.Data.CreateEnumerable<Row>(view, reuseRowObject: false).ToArray();
        var row = Assert.Single(rows);
        Assert.Equal(10, row.ImageId);
        // Keys follow the categories list order: square (id 7) = key 1, circle (id 3) = key 2.
        Assert.Equal(new uint[] { 2, 1 }, row.Labels);
        Assert.Equal(new float[] { 5, 6, 15, 14, 45, 0, 50, 10 }, row.Boxes);
        Assert.Equal(new[] { false, true }, row.IsCrowd);
        Assert.Equal(70f, row.Area[0]);
        Assert.Equal(100f, row.Area[1]); // no area given: w*h of the original box
        VBuffer<ReadOnlyMemory<char>> names = default;
        view.Schema["Labels"].GetKeyValues(ref names);
        Assert.Equal(["square", "circle"], names.DenseValues().Select(n => n.ToString()));
        Assert.Equal(1, view.Dataset.ClassIndexOf(3));
    }

    [Fact]
    public void WriterRoundTripsThroughTheReader()
    {
        using var folder = new TempFolder();
        var original = CocoDatasetReader.Read(Write(folder, Json));
        string copy = Path.Combine(folder.Path, "copy.json");
        CocoDatasetWriter.WriteDataset(original, copy);
        var again = CocoDatasetReader.Read(copy);
        Assert.Equal(original.Categories, again.Categories);
        Assert.Equal(original.Images.Single().Boxes, again.Images.Single().Boxes);
    }

    [Theory]
    [InlineData("""{"images": [], "categories": [{"id": 1, "name": "a"}, {"id": 1, "name": "b"}]}""", "repeats category id 1")]
    [InlineData("""{"images": [{"id": 1, "file_name": "a.png", "width": 5, "height": 5}, {"id": 1, "file_name": "b.png", "width": 5, "height": 5}], "categories": []}""", "repeats image id 1")]
    [InlineData("""{"images": [{"id": 1, "file_name": "a.png", "width": 5, "height": 5}], "categories": [{"id": 1, "name": "a"}], "annotations": [{"id": 4, "image_id": 1, "category_id": 9, "bbox": [0,0,1,1]}]}""", "annotation 0 (id 4) has category_id 9")]
    [InlineData("""{"images": [{"id": 1, "file_name": "a.png", "width": 5, "height": 5}], "categories": [{"id": 1, "name": "a"}], "annotations": [{"id": 4, "image_id": 2, "category_id": 1, "bbox": [0,0,1,1]}]}""", "refers to image_id 2")]
    [InlineData("""{"images": [{"id": 1, "file_name": "a.png", "width": 5, "height": 5}], "categories": [{"id": 1, "name": "a"}], "annotations": [{"id": 4, "image_id": 1, "category_id": 1, "bbox": [0,0,1]}]}""", "4-number 'bbox'")]
    public void BadEntriesAreNamed(string json, string expected)
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<InvalidDataException>(() => CocoDatasetReader.Read(Write(folder, json)));
        Assert.Contains(expected, e.Message);
        Assert.Contains("annotations.json", e.Message);
    }

    [Fact]
    public void MalformedJsonNamesTheLine()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<InvalidDataException>(() => CocoDatasetReader.Read(Write(folder, "{\n\"images\": [\n{\"id\": 1,,}\n]}")));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void MissingImagesCanBeAnError()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => CocoDatasetReader.Read(Write(folder, Json), missingImages: MissingImagePolicy.Fail));
        Assert.Contains("gone.png", e.Message);
    }

    sealed class Row
    {
        public int ImageId { get; set; }
        public uint[] Labels { get; set; } = [];
        public float[] Boxes { get; set; } = [];
        public bool[] IsCrowd { get; set; } = [];
        public float[] Area { get; set; } = [];
    }
}
