using Detr.MLNet;
using Detr.MLNet.Imaging;
using Detr.Training.Augmentation;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Detr.Training.Trainers;

/// <summary>
/// Reads the training columns (an image column, Labels as a vector of key, Boxes as x0,y0,x1,y1 per box) into
/// samples, checking every row: a missing image, a degenerate box or a label/box count mismatch is an error naming the
/// row and image path. Label names come from the Labels column's key values.
/// </summary>
public static class TrainingSampleReader
{
    /// <summary>The samples and the class names (index = 0-based class id).</summary>
    public sealed record Result(IReadOnlyList<DetectionSample> Samples, IReadOnlyList<string> ClassNames);

    /// <summary>
    /// Reads every row of <paramref name="data"/>. An image file claiming more than <paramref name="maxImagePixels"/>
    /// pixels (null: no limit), or truncated, is refused before it is decoded: an error, or, with
    /// <paramref name="onUnreadable"/>, a row left out and reported there (row, file and reason in one line).
    /// </summary>
    public static Result Read(IDataView data, string imageColumn, string labelsColumn, string boxesColumn,
        long? maxImagePixels = ImageFileGuard.DefaultMaxPixels, Action<string>? onUnreadable = null)
    {
        var image = Column(data.Schema, imageColumn, "an image column (MLImage, from LoadImages)", t => t is ImageDataViewType);
        var labels = Column(data.Schema, labelsColumn, "a vector of key (uint) with class names as key values",
            t => t is VectorDataViewType { ItemType: KeyDataViewType { RawType: var raw } } && raw == typeof(uint));
        var boxes = Column(data.Schema, boxesColumn, "a vector of float (x0,y0,x1,y1 per box)",
            t => t is VectorDataViewType { ItemType: var item } && item == NumberDataViewType.Single);
        var classNames = ClassNames(labels);
        var pathColumn = data.Schema.GetColumnOrNull(DetrColumnNames.ImagePath) is { Type: TextDataViewType } p ? p : (DataViewSchema.Column?)null;

        var needed = new List<DataViewSchema.Column> { image, labels, boxes };
        if (pathColumn is { } pc)
            needed.Add(pc);
        var samples = new List<DetectionSample>();
        using var cursor = data.GetRowCursor(needed);
        var getImage = cursor.GetGetter<MLImage>(image);
        var getLabels = cursor.GetGetter<VBuffer<uint>>(labels);
        var getBoxes = cursor.GetGetter<VBuffer<float>>(boxes);
        var getPath = pathColumn is { } column ? cursor.GetGetter<ReadOnlyMemory<char>>(column) : null;
        MLImage? picture = null;
        VBuffer<uint> keys = default;
        VBuffer<float> coordinates = default;
        ReadOnlyMemory<char> path = default;
        while (cursor.MoveNext())
        {
            getPath?.Invoke(ref path);
            string where = $"Row {cursor.Position}" + (getPath is null ? "" : $" (image '{path}')");
            try
            {
                // Reading the image column decodes, so the file is checked first.
                string? checkedPath = ImageFileGuard.CheckBeforeDecode(getPath is null ? null : path.ToString(), maxImagePixels);
                getImage(ref picture!);
                if (picture is not null)
                    ImageFileGuard.CheckDecoded(picture, checkedPath, maxImagePixels);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string problem = $"{where}: cannot read the image ({e.Message.TrimEnd('.')})";
                if (onUnreadable is null)
                    throw new InvalidDataException($"{problem}. Fix or remove the file, or skip unreadable images.", e);
                onUnreadable(problem);
                continue;
            }
            if (picture is null)
                throw new InvalidDataException($"{where}: the image column is empty.");
            var rgb = RgbImage.FromMLImage(picture);
            getLabels(ref keys);
            getBoxes(ref coordinates);
            var labelValues = keys.DenseValues().ToArray();
            var boxValues = coordinates.DenseValues().ToArray();
            samples.Add(new DetectionSample(rgb, CheckedBoxes(boxValues, labelValues.Length, rgb, where),
                CheckedLabels(labelValues, classNames.Count, where)));
        }
        picture?.Dispose();
        if (samples.Count == 0)
            throw new InvalidDataException("The training data has no rows.");
        return new Result(samples, classNames);
    }

    static DataViewSchema.Column Column(DataViewSchema schema, string name, string expected, Func<DataViewType, bool> accepts)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(nameof(name), $"Training column '{name}' not found; it must be {expected}. " +
                $"Columns: {string.Join(", ", schema.Where(c => !c.IsHidden).Select(c => c.Name))}.");
        if (!accepts(column.Type))
            throw new ArgumentOutOfRangeException(nameof(name), $"Training column '{name}' has type {column.Type}; it must be {expected}.");
        return column;
    }

    static IReadOnlyList<string> ClassNames(DataViewSchema.Column labels)
    {
        var count = (int)((KeyDataViewType)((VectorDataViewType)labels.Type).ItemType).Count;
        if (!labels.HasKeyValues())
            return Enumerable.Range(0, count).Select(i => $"class_{i}").ToArray();
        VBuffer<ReadOnlyMemory<char>> names = default;
        labels.GetKeyValues(ref names);
        return names.DenseValues().Select(n => n.ToString()).ToArray();
    }

    static int[] CheckedLabels(uint[] keys, int classCount, string where)
    {
        var labels = new int[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            // ML.NET keys are 1-based; 0 is a missing value.
            if (keys[i] == 0 || keys[i] > classCount)
                throw new InvalidDataException($"{where}: label {i} has key {keys[i]}, outside 1..{classCount}.");
            labels[i] = (int)keys[i] - 1;
        }
        return labels;
    }

    static float[] CheckedBoxes(float[] boxes, int count, RgbImage image, string where)
    {
        if (boxes.Length != count * 4)
            throw new InvalidDataException($"{where}: {count} labels but {boxes.Length} box coordinates (need 4 per label).");
        for (int i = 0; i < count; i++)
        {
            float x0 = boxes[i * 4], y0 = boxes[i * 4 + 1], x1 = boxes[i * 4 + 2], y1 = boxes[i * 4 + 3];
            if (!(float.IsFinite(x0) && float.IsFinite(y0) && float.IsFinite(x1) && float.IsFinite(y1)))
                throw new InvalidDataException($"{where}: box {i} has a non-finite coordinate.");
            if (x1 <= x0 || y1 <= y0)
                throw new InvalidDataException($"{where}: box {i} [{x0},{y0},{x1},{y1}] is degenerate (needs x1 > x0 and y1 > y0).");
            if (x1 <= 0 || y1 <= 0 || x0 >= image.Width || y0 >= image.Height)
                throw new InvalidDataException($"{where}: box {i} [{x0},{y0},{x1},{y1}] lies outside the {image.Width}x{image.Height} image.");
        }
        return boxes;
    }
}
