import { deflateSync } from "zlib";
import { expect, test, signUp, waitForHydration } from "./helpers";

/** A real PNG of `w` × `h` pixels (a colour gradient), made here so no fixture file is needed. */
function png(w: number, h: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(w, 0);
  header.writeUInt32BE(h, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) rows.set([x % 256, y % 256, 120], y * (w * 3 + 1) + 1 + x * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

test("add photos to an item, pick the cover, see it in the stock table", async ({ page, problems }) => {
  problems.allow(/status of 422/);
  await signUp(page);
  await page.goto("/app/inventory/new");
  await waitForHydration(page);
  await page.getByLabel("Name").fill("Dunk Low Panda");
  await page.getByLabel("Purchase price (per unit)").fill("110");
  await page.getByRole("button", { name: "Save item" }).click();
  await expect(page.getByRole("heading", { name: "Dunk Low Panda" })).toBeVisible();
  await expect(page.getByText("No photos yet.")).toBeVisible();

  // A file named .jpg that is not a picture is refused with a reason; two photos go in.
  const input = page.locator("#photo-input");
  await input.setInputFiles({ name: "box-label.jpg", mimeType: "image/jpeg", buffer: Buffer.from("not a picture at all") });
  await expect(page.getByRole("alert")).toContainText("box-label.jpg: This file is not a photo Flipdesk can read");
  await input.setInputFiles([
    { name: "side.png", mimeType: "image/png", buffer: png(800, 600) },
    { name: "sole.png", mimeType: "image/png", buffer: png(300, 300) },
  ]);
  const tiles = page.getByTestId("photo");
  await expect(tiles).toHaveCount(2);
  await expect(tiles.first().getByRole("img", { name: "Cover photo" })).toBeVisible({ timeout: 15_000 });
  await expect(tiles.nth(1).getByRole("img", { name: "Photo" })).toBeVisible();
  const cover = await tiles.first().getByRole("img").getAttribute("src");
  await page.screenshot({ path: "test-results/item-photos.png", fullPage: true });

  // The second becomes the cover.
  await tiles.nth(1).getByRole("button", { name: "Make cover" }).click();
  await expect(tiles.first().getByRole("img", { name: "Cover photo" })).not.toHaveAttribute("src", cover!);
  const newCover = (await tiles.first().getByRole("img").getAttribute("src"))!;
  const photoId = newCover.split("/")[2];

  // The stock table shows the cover as the row's thumbnail.
  await page.getByRole("link", { name: "Inventory", exact: true }).click();
  await expect(page.locator(".row-thumb")).toHaveAttribute("src", `/photos/${photoId}/thumb.jpg`);

  // Deleting one leaves the other.
  await page.goBack();
  await waitForHydration(page);
  await page.getByTestId("photo").nth(1).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("photo")).toHaveCount(1);
});
