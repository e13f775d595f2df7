using System.Text;
using Detr.MLNet.CocoJson;
using Detr.MLNet.Evaluation;

namespace Detr.MLNet.Tests.CocoJson;

/// <summary>The streaming reader itself: what its buffer must survive, and the two rule sets' differences.</summary>
public class CocoJsonReaderTests
{
    static string Write(TempFolder folder, string json, string name = "file.json")
    {
        string path = Path.Combine(folder.Path, name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void EntriesAcrossBufferBoundariesAndLargerThanTheBufferReadWhole()
    {
        // 20,000 annotations cross many 64 KiB refills; one carries a 200 KiB segmentation, larger than the buffer.
        var json = new StringBuilder("""{"info": {"nested": [[1, 2], {"a": "b"}]}, "images": [{"id": 1}], "annotations": [""");
        for (int i = 0; i < 20_000; i++)
        {
            string segmentation = i == 7_000 ? $", \"segmentation\": [[{string.Join(", ", Enumerable.Repeat("1.25", 40_000))}]]" : "";
            json.Append(i > 0 ? ",\n" : "").Append($$"""{"id": {{i + 1}}, "image_id": 1, "category_id": {{i % 3}}, "bbox": [{{i}}.5, 1, 2, 3]{{segmentation}}}""");
        }
        json.Append("]}");
        using var folder = new TempFolder();

        var file = CocoJsonReader.ReadAnnotations(Write(folder, json.ToString()), CocoJsonRules.Pycocotools);

        Assert.Equal(20_000, file.Annotations.Count);
        Assert.Equal(7_000.5, file.Annotations[7_000].Box.X);
        Assert.Equal(19_999.5, file.Annotations[^1].Box.X);
        Assert.Equal(6, file.Annotations[^1].Box.Area);
        Assert.Null(file.Categories);
    }

    [Fact]
    public void MalformedJsonFarIntoTheFileNamesItsLineAndEntry()
    {
        var json = new StringBuilder("{\"images\": [\n");
        for (int i = 0; i < 5_000; i++)
            json.Append($$"""{"id": {{i}}, "file_name": "image-with-a-long-name-{{i}}.jpg"},""").Append('\n');
        json.Append("{\"id\": 5000,, }\n]}");
        using var folder = new TempFolder();
        string path = Write(folder, json.ToString());

        var error = Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Pycocotools));

        Assert.Contains(path, error.Message);
        Assert.Contains("line 5002", error.Message);
        Assert.Contains("image 5000", error.Message);
    }

    [Fact]
    public void ByteOrderMarkEscapedNamesAnyArrayOrderAndRepeatedKeysAreJson()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "bom.json");
        // Annotations before images, "image_id" spelled with an escape, the last of two "area" keys winning.
        File.WriteAllText(path, """
            {"annotations": [{"id": 3, "image\u005fid": 2, "category_id": 1, "bbox": [0, 0, 4, 5], "area": 1, "area": 7}],
             "licenses": [{"name": "x"}], "images": [{"id": 2}], "categories": null}
            """, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var file = CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Pycocotools);

        Assert.Equal(2, file.Annotations.Single().Box.ImageId);
        Assert.Equal(7, file.Annotations.Single().Box.Area);
        Assert.Null(file.Categories);
    }

    [Fact]
    public void DatasetRulesAskForWhatPycocotoolsDoesNot()
    {
        using var folder = new TempFolder();
        string path = Write(folder, """
            {"images": [{"id": 1, "file_name": "a.png", "width": 2, "height": 2}], "annotations": [{"id": 1, "image_id": 9, "category_id": 4, "bbox": [0, 0, 1, 1], "iscrowd": true}]}
            """);

        var evaluated = CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Pycocotools);
        var error = Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Dataset));

        Assert.True(evaluated.Annotations.Single().Box.IsCrowd);
        Assert.Contains("'categories'", error.Message);
        string withCategories = Write(folder, """{"images": [{"id": 1}], "categories": [{"id": 4, "name": "a"}]}""", "named.json");
        Assert.Contains("image 0 has no 'file_name'", Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadAnnotations(withCategories, CocoJsonRules.Dataset)).Message);
    }

    [Fact]
    public void ValuesOfTheWrongTypeAreQuotedAsWritten()
    {
        using var folder = new TempFolder();
        string path = Write(folder, """
            {"images": [{"id": 1, "file_name": "a.png", "width": 0, "height": 4}], "categories": [{"id": 1, "name": "a"}]}
            """);
        string results = Write(folder, """[{"image_id": "1", "category_id": 1, "bbox": [0, 0, 1, 1], "score": 1}]""", "results.json");

        Assert.Contains("image 0 has 'width' = 0, not a positive integer", Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Dataset)).Message);
        Assert.Contains("result 0 has 'image_id' = \"1\", not a 32-bit integer", Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadResults(results)).Message);
    }

    [Theory]
    [InlineData("""{"images": []} 5""")]
    [InlineData("""[] {}""")]
    public void AnythingAfterTheRootValueIsMalformed(string json)
    {
        using var folder = new TempFolder();
        string path = Write(folder, json);

        var error = Assert.Throws<InvalidDataException>(() =>
            json.StartsWith('[') ? CocoJsonReader.ReadResults(path) : (object)CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Pycocotools));

        Assert.Contains("is not valid JSON at line 1", error.Message);
    }

    [Fact]
    public void GroundTruthNamesItsCategories()
    {
        using var folder = new TempFolder();
        string path = Write(folder, """{"images": [], "categories": [{"id": 3, "name": "cat"}, {"id": 4}]}""");

        var file = CocoJsonFiles.ReadGroundTruth(path);

        Assert.Equal([3, 4], file.CategoryIds);
        Assert.Equal("cat", Assert.Single(file.CategoryNames).Value);
    }
}
