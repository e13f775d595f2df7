using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using Detr.MLNet.Evaluation;

namespace Detr.MLNet.Tests.Evaluation;

/// <summary>
/// Bit-for-bit agreement with pycocotools itself on files made to hit its corner cases (tests/fixtures/evaluation, made
/// by make_coco_eval_fixtures.py with cocodataset/cocoapi's PythonAPI): the twelve stats as float64 bit patterns and
/// SHA-256 digests of the whole accumulated precision, recall and scores arrays, for default parameters, pooled
/// categories, other caps (a cap of 0, caps that cut most images), IoU and recall thresholds out of the ordinary,
/// evaluated sequentially and on all cores.
/// </summary>
public sealed class CocoEvaluatorPycocotoolsParityTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "evaluation", name);

    public static TheoryData<string, int?> Cases() => new()
    {
        { "default", null },
        { "default", 1 },
        { "pooled", null },
        { "pooled", 1 },
        { "caps", null },
        { "caps", 1 },
        { "tight", null },
        { "tight", 1 },
        { "custom", null },
        { "pooled-tight", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FilesEvaluateAsPycocotoolsDoes(string caseName, int? threads)
    {
        using var expected = JsonDocument.Parse(File.ReadAllText(Fixture("expected.json")));
        JsonElement @case = expected.RootElement.GetProperty("cases").GetProperty(caseName);
        var options = new CocoEvaluationOptions
        {
            UseCategories = @case.GetProperty("useCats").GetInt32() == 1,
            MaxDetections = @case.GetProperty("maxDets").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            MaxDegreeOfParallelism = threads,
        };
        if (@case.TryGetProperty("iouThrs", out JsonElement iou))
        {
            options = new CocoEvaluationOptions
            {
                UseCategories = options.UseCategories,
                MaxDetections = options.MaxDetections,
                MaxDegreeOfParallelism = threads,
                IouThresholds = iou.EnumerateArray().Select(e => e.GetDouble()).ToArray(),
                RecallThresholds = @case.GetProperty("recThrs").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            };
        }

        CocoMetrics metrics = new CocoEvaluator(options).EvaluateFiles(Fixture("gt.json"), Fixture("dt.json"));

        long[] statBits = @case.GetProperty("stats_bits").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(statBits, metrics.Stats.Select(BitConverter.DoubleToInt64Bits).ToArray());
        AssertSameArray(@case, "precision", metrics.Precision);
        AssertSameArray(@case, "recall", metrics.Recall);
        AssertSameArray(@case, "scores", metrics.Scores);
    }

    [Fact]
    public void InMemoryEvaluationOfTheReadFilesAgrees()
    {
        // The same data through Evaluate (lists the caller built), as the IDataView path and the benchmark use it.
        CocoGroundTruthFile groundTruth = CocoJsonFiles.ReadGroundTruth(Fixture("gt.json"));
        var results = CocoJsonFiles.ReadResults(Fixture("dt.json")).ToArray();
        using var expected = JsonDocument.Parse(File.ReadAllText(Fixture("expected.json")));
        JsonElement @case = expected.RootElement.GetProperty("cases").GetProperty("default");

        CocoMetrics metrics = new CocoEvaluator().Evaluate(groundTruth.Boxes.ToArray(), results, groundTruth.ImageIds, groundTruth.CategoryIds);

        AssertSameArray(@case, "precision", metrics.Precision);
        AssertSameArray(@case, "recall", metrics.Recall);
        AssertSameArray(@case, "scores", metrics.Scores);
    }

    private static void AssertSameArray(JsonElement @case, string name, CocoMetricArray actual)
    {
        int[] shape = @case.GetProperty(name + "_shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(shape, actual.Dimensions);

        // A digest alone says nothing about where arrays differ: the sum narrows it down when it fails.
        double sum = @case.GetProperty(name + "_sum").GetDouble();
        string digest = Convert.ToHexStringLower(SHA256.HashData(MemoryMarshal.AsBytes(actual.AsSpan())));
        Assert.True(
            digest == @case.GetProperty(name + "_sha256").GetString(),
            $"{name} differs from pycocotools' (sum {actual.AsSpan().ToArray().Sum()} against {sum}).");
    }
}
