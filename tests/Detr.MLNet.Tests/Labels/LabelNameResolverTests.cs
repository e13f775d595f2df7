using Detr.MLNet.Labels;

namespace Detr.MLNet.Tests.Labels;

public class LabelNameResolverTests
{
    static readonly Dictionary<string, string> NoMetadata = new();

    [Fact]
    public void CocoNamesHave91IdsWithPersonAtOne()
    {
        Assert.Equal(91, CocoCategoryNames.ById.Count);
        Assert.Equal("person", CocoCategoryNames.ById[1]);
        Assert.Equal("toothbrush", CocoCategoryNames.ById[90]);
        Assert.Equal(CocoCategoryNames.ById, LabelNameResolver.Resolve(91, null, NoMetadata, null));
    }

    [Fact]
    public void PrefersExplicitThenMetadataThenSidecar()
    {
        using var folder = new TempFolder();
        string model = Path.Combine(folder.Path, "m.onnx");
        File.WriteAllText(Path.Combine(folder.Path, "m.labels.txt"), "a\nb\n");
        Assert.Equal(["a", "b"], LabelNameResolver.Resolve(2, null, NoMetadata, model));
        var metadata = new Dictionary<string, string> { [DetrModelMetadataKeys.Labels] = "[\"x\",\"y\"]" };
        Assert.Equal(["x", "y"], LabelNameResolver.Resolve(2, null, metadata, model));
        Assert.Equal(["p", "q"], LabelNameResolver.Resolve(2, ["p", "q"], metadata, model));
    }

    [Fact]
    public void ReadsTransformersId2LabelJson()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "labels.json");
        File.WriteAllText(path, "{\"id2label\": {\"0\": \"cat\", \"2\": \"dog\"}}");
        Assert.Equal(["cat", "N/A", "dog"], LabelNameResolver.ReadFile(path));
    }

    [Fact]
    public void WrongCountIsAnErrorNamingTheSource()
    {
        var e = Assert.Throws<InvalidDataException>(() => LabelNameResolver.Resolve(3, ["a"], NoMetadata, null));
        Assert.Contains("LabelNames", e.Message);
        Assert.Contains("3 classes", e.Message);
    }

    [Fact]
    public void FallsBackToNumberedNames() =>
        Assert.Equal(["class_0", "class_1"], LabelNameResolver.Resolve(2, null, NoMetadata, null));

    [Theory]
    [InlineData("""{"0": "cat", "2147483648": "dog"}""", "the id '2147483648' is not a class id (a whole number 0..999999)")]
    [InlineData("""{"0": "cat", "2000000000": "dog"}""", "the id '2000000000' is not a class id")]
    [InlineData("""{"0": "cat", "-1": "dog"}""", "the id '-1' is not a class id")]
    [InlineData("""{"1": "cat", "01": "dog"}""", "give class id 1 twice")]
    [InlineData("""{"0": "cat", "1": 7}""", "id '1' is a JSON number, not a name (a string)")]
    [InlineData("""["cat", ["dog"]]""", "element 1 is a JSON array, not a name (a string)")]
    public void LabelJsonThatIsNoNameListIsNamed(string json, string expected)
    {
        // Were an OverflowException, an ArgumentException (duplicate key), an InvalidOperationException (a number for a
        // name), or an array of two billion names.
        var metadata = new Dictionary<string, string> { [DetrModelMetadataKeys.Labels] = json };
        var e = Assert.Throws<InvalidDataException>(() => LabelNameResolver.Resolve(2, null, metadata, null));
        Assert.Contains("Label names in model metadata detr.labels", e.Message);
        Assert.Contains(expected, e.Message);
    }
}
