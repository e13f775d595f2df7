using System.Text;
using Detr.MLNet.CocoJson;
using Detr.MLNet.Evaluation;

namespace Detr.MLNet.Tests.CocoJson;

/// <summary>
/// Results and annotations are read in one pass where they have the plain shape (<see cref="CocoJsonDirectEntries"/>)
/// and by the general path otherwise. Both must give the same entries, and the same error for a bad one, whatever the
/// entries hold and wherever the 64 KiB buffer happens to end.
/// </summary>
public class CocoJsonDirectEntriesTests
{
    /// <summary>Results the general path accepts, in every shape the direct path must read or hand over.</summary>
    static readonly string[] ValidResults =
    [
        """{"image_id": 1, "category_id": 2, "bbox": [1.5, 2.25, 30, 40.125], "score": 0.875}""",
        """{"score": 0.5, "bbox": [0, 0, 1, 1], "category_id": 3, "image_id": 4}""",
        """{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.1, "area": 99, "id": 7, "segmentation": [[1, 2, 3, 4, 5, 6]]}""",
        """{"image_id": 1, "extra": {"a": [1, {"b": null}], "c": "d"}, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.2, "note": "x"}""",
        """{"image\u005fid": 5, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.3}""",
        """{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.1, "score": 0.7}""",
        """{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": null, "score": 0.4}""",
        """{"image_id": 3.0, "category_id": 2e0, "bbox": [1e2, -0.0, 1.5E-3, 4], "score": 1}""",
        """{"image_id": 1, "category_id": 2, "bbox": null, "bbox": [9, 8, 7, 6], "score": 0.6}""",
        """{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 0.25, "area": "n/a", "iscrowd": "x", "id": [1]}""",
        "{\n  \"image_id\" : 8 ,\n  \"category_id\" : 2 ,\n  \"bbox\" : [ 1 , 2 , 3 , 4 ] ,\n  \"score\" : 0.9\n}",
    ];

    /// <summary>Annotations the general path accepts.</summary>
    static readonly string[] ValidAnnotations =
    [
        """{"id": 1, "image_id": 1, "category_id": 2, "bbox": [1.5, 2.25, 30, 40.125], "area": 700.5, "iscrowd": 0}""",
        """{"id": 0, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4]}""",
        """{"id": "a7", "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "area": null, "iscrowd": true}""",
        """{"id": null, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "iscrowd": false, "segmentation": {"counts": "abc", "size": [4, 5]}}""",
        """{"id": {"nested": [0]}, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "iscrowd": 2.5}""",
        """{"iscrowd": null, "segmentation": [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]], "bbox": [5, 6, 7, 8], "category_id": 9, "image_id": 3, "id": -0.0}""",
        """{"id": 4, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "area": 5, "area": null}""",
        """{"id": 4, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "are\u0061": 5, "ignore": 1}""",
        """{"id": 1e300, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "iscrowd": 1, "area": 0}""",
        """{"id": 2, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": "n/a", "file_name": 3}""",
    ];

    static readonly string[] BadResults =
    [
        """{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4]}""",
        """{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": null}""",
        """{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": "high"}""",
        """{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3], "score": 1}""",
        """{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4, 5], "score": 1}""",
        """{"image_id": 1, "category_id": 2, "bbox": [1, null, 3, 4], "score": 1}""",
        """{"image_id": 1.5, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 1}""",
        """{"image_id": "1", "category_id": 2, "bbox": [1, 2, 3, 4], "score": 1}""",
        """{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "score": 1, "image_id": null}""",
        """{"image_id": 1, "category_id": 99999999999, "bbox": [1, 2, 3, 4], "score": 1}""",
        "17",
        """[1, 2]""",
    ];

    static readonly string[] BadAnnotations =
    [
        """{"id": 3, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "iscrowd": "yes"}""",
        """{"id": 3, "image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "area": "big"}""",
        """{"id": 3, "image_id": 1, "bbox": [1, 2, 3, 4]}""",
        """{"id": 3, "image_id": 1, "category_id": 2, "bbox": {"x": 1}}""",
    ];

    [Fact]
    public void ResultsReadDirectlyEqualTheGeneralPathsAcrossBufferBoundaries()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "results.json");
        File.WriteAllText(path, "[" + string.Join(",", Repeated(ValidResults, 4_000)) + "]");

        var direct = CocoJsonReader.ReadResults(path);
        var general = CocoJsonReader.ReadResults(path, direct: false);

        Assert.Equal(4_000, direct.Count);
        Assert.Equal(general, direct);
        Assert.Equal(new CocoDetection(5, 2, 1, 2, 3, 4, 0.3), direct[4]);
        Assert.Equal(0.7, direct[5].Score);
        Assert.Equal(3, direct[7].ImageId);
    }

    [Fact]
    public void AnnotationsReadDirectlyEqualTheGeneralPathsAcrossBufferBoundaries()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "gt.json");
        File.WriteAllText(path, """{"images": [{"id": 1}], "annotations": [""" + string.Join(",", Repeated(ValidAnnotations, 4_000)) + "]}");

        var direct = CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Pycocotools).Annotations;
        var general = CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Pycocotools, direct: false).Annotations;

        Assert.Equal(4_000, direct.Count);
        Assert.Equal(general, direct);
        Assert.True(direct[1].Box.HasAnnotationIdZero);
        Assert.True(direct[5].Box.HasAnnotationIdZero); // -0.0 == 0
        Assert.Null(direct[2].Id);
        Assert.Equal(12, direct[6].Box.Area); // the last "area" is null: w × h
        Assert.True(direct[4].Box.IsCrowd);
    }

    [Fact]
    public void BadEntriesFarIntoTheFileGiveTheGeneralPathsErrors()
    {
        using var folder = new TempFolder();
        foreach (var (bad, index) in BadResults.Select((bad, index) => (bad, index)))
        {
            string path = Path.Combine(folder.Path, $"bad-result-{index}.json");
            File.WriteAllText(path, "[" + string.Join(",", Repeated(ValidResults, 900).Append(bad)) + "]");

            string direct = Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadResults(path)).Message;
            string general = Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadResults(path, direct: false)).Message;

            Assert.Equal(general, direct);
            Assert.Contains("result 900", direct);
        }

        foreach (var (bad, index) in BadAnnotations.Select((bad, index) => (bad, index)))
        {
            string path = Path.Combine(folder.Path, $"bad-annotation-{index}.json");
            File.WriteAllText(path, """{"images": [{"id": 1}], "annotations": [""" + string.Join(",", Repeated(ValidAnnotations, 900).Append(bad)) + "]}");

            string direct = Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Pycocotools)).Message;
            string general = Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadAnnotations(path, CocoJsonRules.Pycocotools, direct: false)).Message;

            Assert.Equal(general, direct);
            Assert.Contains("annotation 900 (id 3)", direct);
        }
    }

    [Fact]
    public void MalformedJsonInsideAnEntryGivesTheSameLineEitherWay()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "broken.json");
        File.WriteAllText(path, "[\n" + string.Join(",\n", Repeated(ValidResults, 2_000)) + ",\n{\"image_id\": 1, \"bbox\": [1, 2,, 3]}]");

        string direct = Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadResults(path)).Message;
        string general = Assert.Throws<InvalidDataException>(() => CocoJsonReader.ReadResults(path, direct: false)).Message;

        Assert.Equal(general, direct);
        Assert.Contains("result 2000", direct);
    }

    /// <summary>
    /// The entries in turn, <paramref name="count"/> of them, with runs of spaces of varying length between them so that
    /// the buffer's end falls at every kind of place (inside names, numbers, nested values).
    /// </summary>
    static IEnumerable<string> Repeated(string[] entries, int count)
    {
        var padding = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            padding.Clear().Append(' ', i * 7 % 23);
            yield return padding + entries[i % entries.Length];
        }
    }
}
