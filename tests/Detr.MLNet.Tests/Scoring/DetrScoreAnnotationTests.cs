using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Tests.Scoring;

/// <summary>The prediction columns carry ML.NET's scorer annotations, as its own scorers' columns do.</summary>
public class DetrScoreAnnotationTests
{
    [Fact]
    public void ThePredictionColumnsAreOneScoreSetOfKindObjectDetection()
    {
        using var folder = new TempFolder();
        var ml = new MLContext(seed: 0);
        var data = ScoringPipeline.Rows(ml, Fixtures.WritePng(folder.Path, "a.png", 40, 30, 1));
        var first = ScoringPipeline.Pipeline(ml, ScoringPipeline.Options("detr_tiny_hf.onnx")).Fit(data).Transform(data);
        foreach (var (column, valueKind) in new[] { ("PredictedLabel", "PredictedLabel"), ("Score", "Score"), ("PredictedBoundingBoxes", "PredictedBoundingBoxes") })
        {
            var annotations = first.Schema[column].Annotations;
            Assert.Equal("ObjectDetection", Text(annotations, "ScoreColumnKind"));
            Assert.Equal(valueKind, Text(annotations, "ScoreValueKind"));
            Assert.Equal(1u, SetId(annotations));
        }
        // A second scorer over the first's output is the next set, as ML.NET numbers its scorers.
        var options = ScoringPipeline.Options("detr_tiny_hf.onnx");
        options.ScoreColumnName = "SecondScore";
        options.PredictedLabelColumnName = "SecondLabel";
        options.PredictedBoundingBoxesColumnName = "SecondBoxes";
        var second = ml.Transforms.ApplyDetr(options).Fit(first).Transform(first);
        Assert.Equal(2u, SetId(second.Schema["SecondScore"].Annotations));
        Assert.Equal(1u, SetId(second.Schema["Score"].Annotations));
    }

    static string Text(DataViewSchema.Annotations annotations, string kind)
    {
        ReadOnlyMemory<char> value = default;
        annotations.GetValue(kind, ref value);
        return value.ToString();
    }

    static uint SetId(DataViewSchema.Annotations annotations)
    {
        Assert.IsType<KeyDataViewType>(annotations.Schema["ScoreColumnSetId"].Type);
        uint value = 0;
        annotations.GetValue("ScoreColumnSetId", ref value);
        return value;
    }
}
