using Microsoft.ML;
using Microsoft.ML.Data;

namespace Detr.MLNet.Data;

/// <summary>
/// A <see cref="DetectionDataset"/> as an ML.NET <c>IDataView</c>: one row per image with ImagePath, ImageId,
/// Labels (vector of key, category names as key values), Boxes (x0,y0,x1,y1 per box), IsCrowd, Area, Width, Height.
/// Rows are built as the cursor reaches them.
/// </summary>
public sealed class DetectionDatasetDataView : IDataView
{
    /// <summary>Column names beyond <see cref="DetrColumnNames"/>.</summary>
    public static class Columns
    {
        /// <summary>Dataset image id (COCO id).</summary>
        public const string ImageId = "ImageId";

        /// <summary>Per box: crowd (COCO) or difficult (VOC).</summary>
        public const string IsCrowd = "IsCrowd";

        /// <summary>Per box: COCO area.</summary>
        public const string Area = "Area";

        /// <summary>Image width in pixels.</summary>
        public const string Width = "Width";

        /// <summary>Image height in pixels.</summary>
        public const string Height = "Height";
    }

    /// <summary>Wraps <paramref name="dataset"/>.</summary>
    public DetectionDatasetDataView(DetectionDataset dataset)
    {
        Dataset = dataset;
        var names = dataset.Categories.Select(c => c.Name.AsMemory()).ToArray();
        var keyValues = new DataViewSchema.Annotations.Builder();
        ValueGetter<VBuffer<ReadOnlyMemory<char>>> getNames = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
            dst = new VBuffer<ReadOnlyMemory<char>>(names.Length, (ReadOnlyMemory<char>[])names.Clone());
        keyValues.Add("KeyValues", new VectorDataViewType(TextDataViewType.Instance, names.Length), getNames);

        var builder = new DataViewSchema.Builder();
        builder.AddColumn(DetrColumnNames.ImagePath, TextDataViewType.Instance);
        builder.AddColumn(Columns.ImageId, NumberDataViewType.Int32);
        builder.AddColumn(DetrColumnNames.Labels, new VectorDataViewType(new KeyDataViewType(typeof(uint), Math.Max(1, names.Length))),
            keyValues.ToAnnotations());
        builder.AddColumn(DetrColumnNames.Boxes, new VectorDataViewType(NumberDataViewType.Single));
        builder.AddColumn(Columns.IsCrowd, new VectorDataViewType(BooleanDataViewType.Instance));
        builder.AddColumn(Columns.Area, new VectorDataViewType(NumberDataViewType.Single));
        builder.AddColumn(Columns.Width, NumberDataViewType.Int32);
        builder.AddColumn(Columns.Height, NumberDataViewType.Int32);
        Schema = builder.ToSchema();
    }

    /// <summary>The dataset behind the view (categories map keys back to dataset ids).</summary>
    public DetectionDataset Dataset { get; }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <inheritdoc />
    public bool CanShuffle => true;

    /// <inheritdoc />
    public long? GetRowCount() => Dataset.Images.Count;

    /// <inheritdoc />
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var order = Enumerable.Range(0, Dataset.Images.Count).ToArray();
        if (rand is not null)
            rand.Shuffle(order);
        return new Cursor(this, order, columnsNeeded.Select(c => c.Index).ToHashSet());
    }

    /// <inheritdoc />
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    sealed class Cursor(DetectionDatasetDataView view, int[] order, HashSet<int> active) : DataViewRowCursor
    {
        long _position = -1;

        DetectionImage Current => _position >= 0 && _position < order.Length
            ? view.Dataset.Images[order[_position]]
            : throw new InvalidOperationException("Move the cursor to a row first.");

        public override DataViewSchema Schema => view.Schema;

        public override long Position => _position;

        public override long Batch => 0;

        public override bool MoveNext() => ++_position < order.Length;

        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<DataViewRowId> GetIdGetter() =>
            (ref DataViewRowId id) => id = new DataViewRowId((ulong)order[_position], 0);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            Delegate getter = column.Name switch
            {
                DetrColumnNames.ImagePath => (ValueGetter<ReadOnlyMemory<char>>)((ref ReadOnlyMemory<char> v) => v = Current.Path.AsMemory()),
                Columns.ImageId => (ValueGetter<int>)((ref int v) => v = Current.Id),
                Columns.Width => (ValueGetter<int>)((ref int v) => v = Current.Width),
                Columns.Height => (ValueGetter<int>)((ref int v) => v = Current.Height),
                DetrColumnNames.Labels => (ValueGetter<VBuffer<uint>>)((ref VBuffer<uint> v) =>
                    Fill(ref v, Current.Boxes, 1, (b, span) => span[0] = (uint)view.Dataset.ClassIndexOf(b.CategoryId) + 1)),
                DetrColumnNames.Boxes => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) =>
                    Fill(ref v, Current.Boxes, 4, (b, span) => { span[0] = b.X0; span[1] = b.Y0; span[2] = b.X1; span[3] = b.Y1; })),
                Columns.IsCrowd => (ValueGetter<VBuffer<bool>>)((ref VBuffer<bool> v) => Fill(ref v, Current.Boxes, 1, (b, span) => span[0] = b.IsCrowd)),
                Columns.Area => (ValueGetter<VBuffer<float>>)((ref VBuffer<float> v) => Fill(ref v, Current.Boxes, 1, (b, span) => span[0] = b.Area)),
                _ => throw new ArgumentOutOfRangeException(nameof(column), $"Unknown column '{column.Name}'."),
            };
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}, not {typeof(TValue).Name}.");
        }

        delegate void Write<T>(DetectionBox box, Span<T> values);

        static void Fill<T>(ref VBuffer<T> buffer, IReadOnlyList<DetectionBox> boxes, int perBox, Write<T> write)
        {
            var editor = VBufferEditor.Create(ref buffer, boxes.Count * perBox);
            for (int i = 0; i < boxes.Count; i++)
                write(boxes[i], editor.Values.Slice(i * perBox, perBox));
            buffer = editor.Commit();
        }
    }
}
