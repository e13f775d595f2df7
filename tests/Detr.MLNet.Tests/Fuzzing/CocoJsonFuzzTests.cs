using System.Text;
using Detr.MLNet.Data;
using Detr.Tests.Shared;
using Xunit.Abstractions;

namespace Detr.MLNet.Tests.Fuzzing;

/// <summary>
/// Seeded mutations of a valid COCO annotation file: each either loads, or fails with <see cref="InvalidDataException"/>
/// naming the file; nothing crashes, hangs or allocates beyond a bound.
/// </summary>
public class CocoJsonFuzzTests(ITestOutputHelper output)
{
    static readonly int Cases = FuzzCase.Count(400);

    static string ValidCoco()
    {
        var text = new StringBuilder("""{"info": {"description": "fuzz"}, "images": [""");
        for (int i = 1; i <= 4; i++)
            text.Append(i > 1 ? "," : "").Append($$"""{"id": {{i}}, "file_name": "img{{i}}.png", "width": 640, "height": 480}""");
        text.Append("""], "annotations": [""");
        for (int i = 1; i <= 8; i++)
            text.Append(i > 1 ? "," : "").Append($$"""{"id": {{i}}, "image_id": {{(i + 1) / 2}}, "category_id": {{i % 3 + 1}}, "bbox": [{{10 * i}}.5, 20, 30, 40.25], "area": 1210, "iscrowd": {{(i % 5 == 0 ? 1 : 0)}}}""");
        text.Append("""], "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}, {"id": 3, "name": "bird"}]}""");
        return text.ToString();
    }

    [Fact]
    public void MutatedCocoJsonLoadsOrFailsWithInvalidData()
    {
        using var folder = new TempFolder();
        var valid = Encoding.UTF8.GetBytes(ValidCoco());
        // The images exist, so a mutation that keeps the JSON valid loads fully.
        for (int i = 1; i <= 4; i++)
            Fixtures.WritePng(folder.Path, $"img{i}.png", 8, 8, i);
        string clean = Path.Combine(folder.Path, "clean.json");
        File.WriteAllBytes(clean, valid);
        Assert.Equal(4, CocoDatasetReader.Read(clean).Images.Count);
        var (loaded, refused) = FuzzCase.RunAll("coco", Mutations.Of(valid, Cases, seed: 21, text: true), mutation =>
        {
            string path = Path.Combine(folder.Path, $"case{mutation.Index}.json");
            File.WriteAllBytes(path, mutation.Bytes);
            return path;
        }, path => CocoDatasetReader.Read(path), TimeSpan.FromSeconds(10), 64L << 20);
        output.WriteLine($"coco: {Cases} cases, {loaded} loaded, {refused} refused (InvalidDataException)");
        Assert.True(refused > Cases / 4, "the mutations should mostly break the file");
    }
}
