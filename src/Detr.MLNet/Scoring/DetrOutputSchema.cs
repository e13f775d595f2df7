using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Detr.MLNet.Scoring;

/// <summary>Builds the scored schema: the input columns, then PredictedLabel, Score and PredictedBoundingBoxes.</summary>
static class DetrOutputSchema
{
    const string KeyValuesKind = "KeyValues";

    /// <summary>The three output columns appended to <paramref name="input"/> (same-named input columns become hidden).</summary>
    public static DataViewSchema Build(DataViewSchema input, DetrScoringOptions options, IReadOnlyList<string> labelNames)
    {
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(input);
        AddOutputColumns(builder, options, labelNames);
        return builder.ToSchema();
    }

    /// <summary>Only the three output columns (for schema shapes and row mappers).</summary>
    public static void AddOutputColumns(DataViewSchema.Builder builder, DetrScoringOptions options, IReadOnlyList<string> labelNames)
    {
        var keyValues = new DataViewSchema.Annotations.Builder();
        var names = labelNames.Select(n => n.AsMemory()).ToArray();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
            dst = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone());
        keyValues.Add(KeyValuesKind, new VectorDataViewType(TextDataViewType.Instance, names.Length), getNames);

        builder.AddColumn(options.PredictedLabelColumnName,
            new VectorDataViewType(new KeyDataViewType(typeof(uint), labelNames.Count)), keyValues.ToAnnotations());
        builder.AddColumn(options.ScoreColumnName, new VectorDataViewType(NumberDataViewType.Single));
        builder.AddColumn(options.PredictedBoundingBoxesColumnName, new VectorDataViewType(NumberDataViewType.Single));
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
