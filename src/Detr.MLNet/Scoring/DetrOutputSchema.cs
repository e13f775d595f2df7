using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Detr.MLNet.Scoring;

/// <summary>Builds the scored schema: the input columns, then PredictedLabel, Score and PredictedBoundingBoxes.</summary>
static class DetrOutputSchema
{
    const string KeyValuesKind = "KeyValues";
    // ML.NET's scorer annotations (AnnotationUtils.Kinds, internal there): which task a score column belongs to, what
    // each column of the set holds, and a set id that ties the columns of one scorer together.
    const string ScoreColumnKind = "ScoreColumnKind", ScoreValueKind = "ScoreValueKind", ScoreColumnSetId = "ScoreColumnSetId";
    /// <summary>The <c>ScoreColumnKind</c> of DETR's columns (ML.NET has none for detection).</summary>
    public const string ObjectDetectionKind = "ObjectDetection";
    static readonly KeyDataViewType SetIdType = new(typeof(uint), int.MaxValue);

    /// <summary>The three output columns appended to <paramref name="input"/> (same-named input columns become hidden).</summary>
    public static DataViewSchema Build(DataViewSchema input, DetrScoringOptions options, IReadOnlyList<string> labelNames)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        AddOutputColumns(builder, options, labelNames, NextScoreSetId(input));
        return builder.ToSchema();
    }

    /// <summary>Only the three output columns (for schema shapes and row mappers).</summary>
    public static void AddOutputColumns(DataViewSchema.Builder builder, DetrScoringOptions options, IReadOnlyList<string> labelNames, uint scoreSetId = 1)
    {
        var labels = ScorerAnnotations(scoreSetId, "PredictedLabel");
        var names = labelNames.Select(n => n.AsMemory()).ToArray();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
            dst = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone());
        labels.Add(KeyValuesKind, new VectorDataViewType(TextDataViewType.Instance, names.Length), getNames);

        builder.AddColumn(options.PredictedLabelColumnName,
            new VectorDataViewType(new KeyDataViewType(typeof(uint), labelNames.Count)), labels.ToAnnotations());
        builder.AddColumn(options.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single), ScorerAnnotations(scoreSetId, "Score").ToAnnotations());
        builder.AddColumn(options.PredictedBoundingBoxesColumnName, new VectorDataViewType(NumberDataViewType.Single),
            ScorerAnnotations(scoreSetId, "PredictedBoundingBoxes").ToAnnotations());
    }

    static DataViewSchema.Annotations.Builder ScorerAnnotations(uint setId, string valueKind)
    {
        var annotations = new DataViewSchema.Annotations.Builder();
        annotations.Add(ScoreColumnKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> dst) => dst = ObjectDetectionKind.AsMemory());
        annotations.Add(ScoreValueKind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> dst) => dst = valueKind.AsMemory());
        annotations.Add(ScoreColumnSetId, SetIdType, (ref uint dst) => dst = setId);
        return annotations;
    }

    // As ML.NET numbers scorers: one more than the largest set id already in the input (a second scorer's columns stay apart).
    static uint NextScoreSetId(DataViewSchema input)
    {
        uint max = 0;
        foreach (var column in input)
        {
            if (column.Annotations.Schema.GetColumnOrNull(ScoreColumnSetId) is not { Type: KeyDataViewType { RawType: var raw } } setId || raw != typeof(uint))
                continue;
            uint value = 0;
            column.Annotations.GetValue(ScoreColumnSetId, ref value);
            max = Math.Max(max, value);
        }
        return max + 1;
    }

    /// <summary>Checks the image column exists and holds images; the message names what was found instead.</summary>
    public static int FindImageColumn(DataViewSchema input, string imageColumn)
    {
        var column = input.GetColumnOrNull(imageColumn)
            ?? throw new ArgumentOutOfRangeException(nameof(imageColumn),
                $"Input column '{imageColumn}' not found (columns: {string.Join(", ", input.Where(c => !c.IsHidden).Select(c => c.Name))}). " +
                "Load images first, e.g. mlContext.Transforms.LoadImages(\"Image\", folder, \"ImagePath\").");
        if (column.Type is not ImageDataViewType)
            throw new ArgumentOutOfRangeException(nameof(imageColumn),
                $"Input column '{imageColumn}' has type {column.Type}; DETR scoring needs an image column (MLImage from LoadImages).");
        return column.Index;
    }
}
