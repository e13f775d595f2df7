using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Evaluation;

/// <summary>Reads ground truth and predictions from a scored <c>IDataView</c> and evaluates them the COCO way.</summary>
public static class DetectionEvaluation
{
    /// <summary>
    /// COCO metrics over <paramref name="predictions"/>: ground truth from the Labels/Boxes columns (plus IsCrowd and Area
    /// when present), detections from PredictedLabel/Score/PredictedBoundingBoxes. Categories are the label keys;
    /// images are the rows (or the ImageId column when present). Score with a threshold of 0 for a true mAP.
    /// </summary>
    public static CocoMetrics Evaluate(IDataView predictions, string labelColumnName = DetrColumnNames.Labels,
        string boxesColumnName = DetrColumnNames.Boxes, string predictedLabelColumnName = DetrColumnNames.PredictedLabel,
        string scoreColumnName = DetrColumnNames.Score, string predictedBoxesColumnName = DetrColumnNames.PredictedBoundingBoxes,
        CocoEvaluationOptions? options = null)
    {
        var schema = predictions.Schema;
        DataViewSchema.Column Need(string name) => schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(predictions), $"Column '{name}' not found; evaluation needs ground truth and predictions in one view.");
        var labels = Need(labelColumnName);
        var boxes = Need(boxesColumnName);
        var predictedLabels = Need(predictedLabelColumnName);
        var scores = Need(scoreColumnName);
        var predictedBoxes = Need(predictedBoxesColumnName);
        var crowd = schema.GetColumnOrNull("IsCrowd");
        var area = schema.GetColumnOrNull("Area");
        var imageIdColumn = schema.GetColumnOrNull("ImageId") is { Type: var t } c && t == NumberDataViewType.Int32 ? c : (DataViewSchema.Column?)null;
        int categories = labels.Type is VectorDataViewType { ItemType: KeyDataViewType key } ? (int)key.Count
            : throw new ArgumentOutOfRangeException(nameof(labelColumnName), $"Column '{labelColumnName}' must be a vector of key.");

        var columns = new List<DataViewSchema.Column> { labels, boxes, predictedLabels, scores, predictedBoxes };
        foreach (var optional in new[] { crowd, area, imageIdColumn })
            if (optional is { } column)
                columns.Add(column);
        var groundTruth = new List<CocoGroundTruthBox>();
        var detections = new List<CocoDetection>();
        var images = new List<int>();
        using var cursor = predictions.GetRowCursor(columns);
        var getLabels = cursor.GetGetter<VBuffer<uint>>(labels);
        var getBoxes = cursor.GetGetter<VBuffer<float>>(boxes);
        var getPredictedLabels = cursor.GetGetter<VBuffer<uint>>(predictedLabels);
        var getScores = cursor.GetGetter<VBuffer<float>>(scores);
        var getPredictedBoxes = cursor.GetGetter<VBuffer<float>>(predictedBoxes);
        var getCrowd = crowd is { } cc ? cursor.GetGetter<VBuffer<bool>>(cc) : null;
        var getArea = area is { } ac ? cursor.GetGetter<VBuffer<float>>(ac) : null;
        var getImageId = imageIdColumn is { } ic ? cursor.GetGetter<int>(ic) : null;
        VBuffer<uint> keys = default, predictedKeys = default;
        VBuffer<float> truthBoxes = default, scoreValues = default, boxValues = default, areas = default;
        VBuffer<bool> crowds = default;
        int imageId = 0;
        while (cursor.MoveNext())
        {
            if (getImageId is not null) getImageId(ref imageId); else imageId = (int)cursor.Position + 1;
            images.Add(imageId);
            getLabels(ref keys);
            getBoxes(ref truthBoxes);
            getCrowd?.Invoke(ref crowds);
            getArea?.Invoke(ref areas);
            var k = keys.DenseValues().ToArray();
            var b = truthBoxes.DenseValues().ToArray();
            var crowdFlags = getCrowd is null ? null : crowds.DenseValues().ToArray();
            var areaValues = getArea is null ? null : areas.DenseValues().ToArray();
            for (int i = 0; i < k.Length; i++)
                groundTruth.Add(CocoGroundTruthBox.FromXyxy(imageId, (int)k[i], b, i, areaValues?[i], crowdFlags?[i] ?? false));
            getPredictedLabels(ref predictedKeys);
            getScores(ref scoreValues);
            getPredictedBoxes(ref boxValues);
            var pk = predictedKeys.DenseValues().ToArray();
            var ps = scoreValues.DenseValues().ToArray();
            var pb = boxValues.DenseValues().ToArray();
            for (int i = 0; i < pk.Length; i++)
                detections.Add(CocoDetection.FromXyxy(imageId, (int)pk[i], pb, i, ps[i]));
        }
        return new CocoEvaluator(options).Evaluate(groundTruth, detections, images, Enumerable.Range(1, categories).ToArray());
    }
}
