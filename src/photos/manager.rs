//! The item page's photos: the grid (cover first), adding files by choosing, dropping or
//! taking them with the phone's camera, and arranging or deleting them.

use leptos::prelude::*;

use super::{
    api,
    types::{PhotoView, photo_srcset, photo_url},
};

#[component]
pub fn PhotoManager(item_id: String, initial: Vec<PhotoView>) -> impl IntoView {
    let item = StoredValue::new(item_id);
    // Rendered with the item (no second request while the page loads); read again after
    // every change and while a photo is being prepared.
    let photos = RwSignal::new(Ok::<_, String>(initial));
    let refresh = move || {
        leptos::task::spawn_local(async move {
            photos.set(
                api::list_photos(item.get_value())
                    .await
                    .map_err(|e| e.to_string()),
            );
        })
    };
    let uploading = RwSignal::new(None::<(usize, usize)>);
    let problems = RwSignal::new(Vec::<String>::new());
    Effect::new(move || {
        let waiting = photos.with(|p| {
            p.as_ref()
                .is_ok_and(|p| p.iter().any(|p| p.status == "processing"))
        });
        if waiting {
            set_timeout(refresh, std::time::Duration::from_millis(1200));
        }
    });
    let arrange = Action::new(move |ids: &Vec<String>| {
        let ids = ids.clone();
        async move {
            let done = api::arrange_photos(item.get_value(), ids).await;
            refresh();
            done
        }
    });
    let remove = Action::new(move |id: &String| {
        let id = id.clone();
        async move {
            let done = api::delete_photo(item.get_value(), id).await;
            refresh();
            done
        }
    });
    let add_files = move |files: Vec<web_sys::File>| {
        if files.is_empty() {
            return;
        }
        problems.set(Vec::new());
        leptos::task::spawn_local(async move {
            let total = files.len();
            for (n, file) in files.into_iter().enumerate() {
                uploading.set(Some((n + 1, total)));
                if let Err(problem) = send(&item.get_value(), &file).await {
                    problems.update(|p| p.push(format!("{}: {problem}", file.name())));
                }
            }
            uploading.set(None);
            refresh();
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        add_files(files_of(input.files()));
        input.set_value("");
    };
    let dragging = RwSignal::new(false);
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        add_files(files_of(ev.data_transfer().and_then(|d| d.files())));
    };
    let grid = move || {
        match photos.get() {
            Err(e) => view! { <p class="field-error" role="alert">{e}</p> }.into_any(),
            Ok(list) if list.is_empty() => view! {
                <p class="muted">"No photos yet. The first one becomes the cover in your store and in the stock table."</p>
            }
            .into_any(),
            Ok(list) => {
                let ids: Vec<String> = list.iter().map(|p| p.id.clone()).collect();
                let last = list.len() - 1;
                view! {
                    <ul class="photo-grid">
                        {list.into_iter().enumerate().map(|(i, photo)| {
                            let ids = ids.clone();
                            let moved = move |to: usize| {
                                let mut order = ids.clone();
                                let id = order.remove(i);
                                order.insert(to, id);
                                order
                            };
                            let (first, left, right) = (moved(0), moved(i.saturating_sub(1)), moved((i + 1).min(last)));
                            let id = photo.id.clone();
                            view! {
                                <li class="photo-tile" data-testid="photo">
                                    <PhotoImage photo=photo.clone() cover=i == 0/>
                                    <div class="photo-actions">
                                        {(i > 0).then(|| view! {
                                            <button class="button button-small" type="button" on:click=move |_| { arrange.dispatch(first.clone()); }>"Make cover"</button>
                                            <button class="button button-small" type="button" aria-label="Move earlier" on:click=move |_| { arrange.dispatch(left.clone()); }>"←"</button>
                                        })}
                                        {(i < last).then(|| view! {
                                            <button class="button button-small" type="button" aria-label="Move later" on:click=move |_| { arrange.dispatch(right.clone()); }>"→"</button>
                                        })}
                                        <button class="button button-small button-ghost" type="button" on:click=move |_| { remove.dispatch(id.clone()); }>"Delete"</button>
                                    </div>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }
        }
    };
    view! {
        <section class="card photo-card" aria-labelledby="photos-heading">
            <h2 id="photos-heading">"Photos"</h2>
            {grid}
            <div class="photo-drop" class:dragging=move || dragging.get()
                on:dragover=move |ev: leptos::ev::DragEvent| { ev.prevent_default(); dragging.set(true); }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop>
                <label class="button" for="photo-input">"Add photos…"</label>
                <input id="photo-input" class="visually-hidden" type="file" multiple
                    accept="image/jpeg,image/png,image/webp,image/heic,image/heif" on:change=on_pick/>
                <p class="muted">"or drop them here · JPEG, PNG or WebP up to 15 MB, 10 per item. Location and camera details are removed."</p>
            </div>
            <p role="status" class="muted">
                {move || uploading.get().map(|(n, total)| format!("Uploading photo {n} of {total}…"))}
            </p>
            <Show when=move || !problems.get().is_empty()>
                <ul class="field-error" role="alert">
                    {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                </ul>
            </Show>
        </section>
    }
}

#[component]
fn PhotoImage(photo: PhotoView, cover: bool) -> impl IntoView {
    match photo.status.as_str() {
        "ready" => view! {
            <figure>
                <img src=photo_url(&photo.id, "card") srcset=photo_srcset(&photo.id) sizes="160px"
                    alt=if cover { "Cover photo" } else { "Photo" } width="160" height="160"/>
                {cover.then(|| view! { <figcaption class="badge">"Cover"</figcaption> })}
            </figure>
        }
        .into_any(),
        "failed" => {
            view! { <p class="photo-placeholder field-error">"This photo could not be read."</p> }
                .into_any()
        }
        _ => view! { <p class="photo-placeholder muted" aria-busy="true">"Preparing…"</p> }
            .into_any(),
    }
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect())
        .unwrap_or_default()
}

/// Sends one file as the body of a POST; answers the server's message when it refuses it.
#[cfg(feature = "hydrate")]
async fn send(item_id: &str, file: &web_sys::File) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    if file.size() > super::MAX_PHOTO_BYTES {
        return Err(format!(
            "{:.0} MB is over the 15 MB a photo can have.",
            (file.size() / 1024.0 / 1024.0).ceil()
        ));
    }
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(file);
    let window = web_sys::window().ok_or("no window")?;
    let url = format!("/app/items/{item_id}/photos");
    let response =
        wasm_bindgen_futures::JsFuture::from(window.fetch_with_str_and_init(&url, &init))
            .await
            .map_err(|_| {
                "the upload did not reach Flipdesk; check the connection and try again.".to_string()
            })?;
    let response: web_sys::Response = response.dyn_into().map_err(|_| "no response")?;
    if response.ok() {
        return Ok(());
    }
    let text = match response.text() {
        Ok(p) => wasm_bindgen_futures::JsFuture::from(p)
            .await
            .ok()
            .and_then(|t| t.as_string()),
        Err(_) => None,
    }
    .unwrap_or_default();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    Err(body["error"]["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("the server answered {}", response.status())))
}

#[cfg(not(feature = "hydrate"))]
async fn send(_item_id: &str, _file: &web_sys::File) -> Result<(), String> {
    Err("uploads run in the browser".into())
}
