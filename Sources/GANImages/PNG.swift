import CZlib
import Foundation

/// 8-bit grayscale PNG encoding (zlib deflate and CRC-32 from the system zlib).
public enum PNG {
    /// Encodes `pixels` (row-major, `width * height` bytes) as a grayscale PNG.
    public static func encodeGray(pixels: [UInt8], width: Int, height: Int) -> [UInt8] {
        precondition(pixels.count == width * height && width > 0 && height > 0, "pixel count does not match \(width)x\(height)")
        var raw = [UInt8]()
        raw.reserveCapacity((width + 1) * height)
        for row in 0..<height {
            raw.append(0)  // filter type: none
            raw.append(contentsOf: pixels[(row * width)..<((row + 1) * width)])
        }
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = bigEndian(UInt32(width)) + bigEndian(UInt32(height))
        header += [8, 0, 0, 0, 0]  // bit depth 8, colour type 0 (gray), deflate, no filter, no interlace
        appendChunk("IHDR", header, to: &png)
        appendChunk("IDAT", deflate(raw), to: &png)
        appendChunk("IEND", [], to: &png)
        return png
    }

    public struct DecodeError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Decodes an 8-bit grayscale, non-interlaced PNG whose rows use filter type 0 (what
    /// `encodeGray` writes), checking every chunk's CRC. Other PNGs are refused, not misread.
    public static func decodeGray(_ png: [UInt8]) throws -> (pixels: [UInt8], width: Int, height: Int) {
        func fail(_ reason: String) -> DecodeError { DecodeError(description: "not a PNG this project reads: \(reason)") }
        func word(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        guard png.count >= 8, png[0..<8].elementsEqual([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) else { throw fail("no PNG signature") }
        var offset = 8, width = 0, height = 0, compressed: [UInt8] = []
        while offset + 12 <= png.count {
            let length = word(offset)
            guard offset + 12 + length <= png.count else { throw fail("chunk at byte \(offset) runs past the end") }
            let body = Array(png[(offset + 4)..<(offset + 8 + length)])
            guard UInt32(crc32(0, body, uInt(body.count))) == UInt32(word(offset + 8 + length)) else {
                throw fail("bad CRC in the chunk at byte \(offset)")
            }
            switch String(decoding: body[0..<4], as: UTF8.self) {
            case "IHDR":
                guard length == 13 else { throw fail("IHDR of \(length) bytes") }
                width = word(offset + 8)
                height = word(offset + 12)
                guard body[12] == 8, body[13] == 0, body[16] == 0 else { throw fail("not 8-bit grayscale without interlace") }
            case "IDAT": compressed += body[4...]
            case "IEND": offset = png.count
            default: break
            }
            offset += 12 + length
        }
        guard width > 0, height > 0, !compressed.isEmpty else { throw fail("no image header or data") }
        var raw = [UInt8](repeating: 0, count: (width + 1) * height)
        var size = uLong(raw.count)
        guard uncompress(&raw, &size, compressed, uLong(compressed.count)) == Z_OK, Int(size) == raw.count else {
            throw fail("image data does not inflate to \(width)x\(height)")
        }
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height)
        for row in 0..<height {
            guard raw[row * (width + 1)] == 0 else { throw fail("row \(row) uses a PNG filter (only filter 0 is read)") }
            pixels += raw[(row * (width + 1) + 1)..<((row + 1) * (width + 1))]
        }
        return (pixels, width, height)
    }

    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var bound = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(bound))
        let status = compress2(&output, &bound, input, uLong(input.count), 6)  // zlib's default level
        precondition(status == Z_OK, "zlib compress2 failed with \(status)")
        return Array(output[0..<Int(bound)])
    }

    static func appendChunk(_ type: String, _ data: [UInt8], to png: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        png += bigEndian(UInt32(data.count))
        let body = typeBytes + data
        png += body
        png += bigEndian(UInt32(crc32(0, body, uInt(body.count))))
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}

/// Lays out images with values in [0, 1] as a grid with a one-pixel gap.
public struct ImageGrid {
    public let pixels: [UInt8]
    public let width: Int
    public let height: Int

    /// `images` holds `count` images of `imageHeight * imageWidth` floats each.
    public init(images: UnsafePointer<Float>, count: Int, imageHeight: Int, imageWidth: Int,
                columns: Int? = nil, gap: Int = 1) {
        let columns = Swift.max(1, Swift.min(count, columns ?? Int(Double(count).squareRoot().rounded(.up))))
        let rows = (count + columns - 1) / columns
        width = columns * imageWidth + (columns + 1) * gap
        height = rows * imageHeight + (rows + 1) * gap
        var canvas = [UInt8](repeating: 32, count: width * height)
        for index in 0..<count {
            let top = gap + (index / columns) * (imageHeight + gap)
            let left = gap + (index % columns) * (imageWidth + gap)
            for y in 0..<imageHeight {
                for x in 0..<imageWidth {
                    let value = images[index * imageHeight * imageWidth + y * imageWidth + x]
                    let clamped = value.isNaN ? 0 : Swift.min(1, Swift.max(0, value))
                    canvas[(top + y) * width + left + x] = UInt8((clamped * 255).rounded())
                }
            }
        }
        pixels = canvas
    }

    public var png: [UInt8] { PNG.encodeGray(pixels: pixels, width: width, height: height) }
}
