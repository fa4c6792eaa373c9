//! `/app/store/channels`: the places an item is offered besides the storefront, each with its
//! health (last contact, events waiting or given up, sales in conflict), and the form to add
//! one. `ItemChannels` is the item page's "Listed on": where the item is offered, at what
//! price, and the form to offer it on another channel.

use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    api::{self, AddedChannel},
    types::{ChannelOffer, ChannelRow, Finding},
};
use crate::{
    domain::channels::{ChannelInput, ChannelKind, validate_channel},
    error::AppError,
    ui::{ErrorBanner, LoadError, TextField},
};

/// "2026-12-06 03:28 UTC" from an RFC 3339 time (the same text on the server and in the
/// browser, so hydration agrees).
fn when(at: &str) -> String {
    let minutes: String = at.replace('T', " ").chars().take(16).collect();
    format!("{minutes} UTC")
}

#[component]
pub fn ChannelsPage() -> impl IntoView {
    let add = ServerAction::<api::AddChannel>::new();
    let check = ServerAction::<api::CheckChannel>::new();
    // The channel whose "Check now" was pressed last: its card shows the outcome.
    let checked = RwSignal::new(None::<String>);
    let resolve = ServerAction::<api::ResolveFinding>::new();
    let channels = Resource::new(
        move || (add.version().get(), check.version().get()),
        |_| api::list_channels(),
    );
    let findings = Resource::new(
        move || (check.version().get(), resolve.version().get()),
        |_| api::channel_findings(),
    );
    view! {
        <Title text="Sales channels · Flipdesk"/>
        <div class="page-header">
            <h1>"Sales channels"</h1>
            <p class="muted">"Offer an item in several places at once and it still sells once: while a buyer anywhere checks out, every other place is told the item is held, and when it sells it comes down everywhere."</p>
        </div>
        <NewChannel add/>
        <Transition fallback=|| view! { <p class="loading" aria-live="polite">"Loading your channels…"</p> }>
            {move || Suspend::new(async move {
                match channels.await {
                    Ok(rows) if rows.is_empty() => view! {
                        <div class="empty-state">
                            <h2>"No channels yet"</h2>
                            <p>"Add eBay, StockX or a card show as a channel you list on by hand, or connect an app (a live-sale shop, a Discord shop bot) with its webhook address."</p>
                        </div>
                    }.into_any(),
                    Ok(rows) => view! {
                        <ul class="monitor-list" aria-label="Channels">
                            {rows.into_iter().map(|c| view! { <Channel c check checked/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <LoadError error/> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                findings.await.ok().filter(|f| !f.is_empty()).map(|list| view! {
                    <section class="card channel-health" aria-labelledby="channel-health">
                        <h2 id="channel-health">"Channel health"</h2>
                        <p class="muted">"Every connected channel is asked what it shows, and Flipdesk compares: what it can repair it repairs, what needs you stays here until you mark it sorted."</p>
                        <ul class="finding-list">
                            {list.into_iter().map(|f| view! { <FindingRow f resolve/> }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

#[component]
fn FindingRow(f: Finding, resolve: ServerAction<api::ResolveFinding>) -> impl IntoView {
    let item = f.item_name.clone();
    let text = match f.kind.as_str() {
        "sold_twice" => format!(
            "Sold twice? “{item}” shows as sold on {}, which never reported the sale, and its units are gone here.",
            f.channel_name
        ),
        "unreported_sale" => format!(
            "“{item}” shows as sold on {}, which never told Flipdesk: record the sale, or ask the channel to report it.",
            f.channel_name
        ),
        "withdrawal_resent" => format!(
            "{} still showed “{item}” after it came down: Flipdesk sent the withdrawal again.",
            f.channel_name
        ),
        _ => format!(
            "{} had lost “{item}”: Flipdesk published it there again.",
            f.channel_name
        ),
    };
    let open = f.status == "open";
    let seen = format!(
        "Last seen {}{}",
        when(&f.last_seen_at),
        if f.times > 1 {
            format!(" · {} times", f.times)
        } else {
            String::new()
        }
    );
    let id = f.id.clone();
    view! {
        <li class="finding" data-testid="finding" data-kind=f.kind.clone() data-status=f.status.clone()>
            <span class="status-pill" data-status=if open { "attention" } else { "repaired" }>
                {if open { "Needs you" } else { "Repaired" }}
            </span>
            <div>
                <p>{text}</p>
                <p class="muted">{seen}" · "<a href=format!("/app/inventory/{}", f.item_id)>"Open the item"</a></p>
            </div>
            {open.then(|| view! {
                <button class="button button-small" type="button" disabled=move || resolve.pending().get()
                    on:click=move |_| { resolve.dispatch(api::ResolveFinding { id: id.clone() }); }>
                    "Mark sorted"
                </button>
            })}
        </li>
    }
}

#[component]
fn Channel(
    c: ChannelRow,
    check: ServerAction<api::CheckChannel>,
    checked: RwSignal<Option<String>>,
) -> impl IntoView {
    let kind = if c.connected {
        format!("Connected app · {}", c.webhook.clone().unwrap_or_default())
    } else {
        "Listed by hand".to_string()
    };
    let contact = match (&c.last_contact_at, c.connected) {
        (_, false) => None,
        (Some(at), true) => Some(format!("Last contact {}", when(at))),
        (None, true) => Some("Not in contact yet".to_string()),
    };
    let trouble = c.failed_events > 0 || c.conflicts > 0;
    let last_checked = c
        .last_check_at
        .as_ref()
        .map(|at| format!("Last checked {}", when(at)));
    let check_error = c.check_error.clone();
    let id = c.id.clone();
    let this = c.id.clone();
    let checking = Signal::derive(move || {
        check.pending().get() && check.input().get().is_some_and(|i| i.channel_id == this)
    });
    let outcome = RwSignal::new(None::<String>);
    let mine = c.id.clone();
    Effect::new(move |_| {
        let Some(result) = check.value().get() else {
            return;
        };
        if check
            .input()
            .get_untracked()
            .is_some_and(|i| i.channel_id != mine)
        {
            return;
        }
        outcome.set(Some(match result {
            // The card's own "The last check failed: …" line says why.
            Ok(r) if r.unreachable.is_some() => return outcome.set(None),
            Ok(r) if r.repaired == 0 && r.needs_attention == 0 => {
                "Checked: the channel agrees with Flipdesk.".to_string()
            }
            Ok(r) => format!(
                "Checked: {} repaired · {} need you (see Channel health below).",
                r.repaired, r.needs_attention
            ),
            Err(e) => e.to_string(),
        }));
    });
    view! {
        <li class="monitor card" data-testid="channel">
            <div>
                <p class="monitor-keywords"><strong>{c.name.clone()}</strong></p>
                <p class="muted">{kind}</p>
                <p class="muted">{format!("{} item(s) listed", c.listed)}{contact.map(|t| format!(" · {t}"))}</p>
                {(c.pending_events > 0).then(|| view! {
                    <p class="hook-status">{format!("{} update(s) waiting to be delivered", c.pending_events)}</p>
                })}
                {trouble.then(|| view! {
                    <p class="hook-status hook-failed">{format!(
                        "{} update(s) could not be delivered · {} sale(s) need your attention (see your inbox)",
                        c.failed_events, c.conflicts
                    )}</p>
                })}
                {c.connected.then(|| view! {
                    <p class="muted">{last_checked.unwrap_or_else(|| "Not checked yet".into())}</p>
                })}
                {check_error.map(|why| view! { <p class="hook-status hook-failed">{format!("The last check failed: {why}")}</p> })}
                <p class="muted" role="status" aria-live="polite">{move || outcome.get()}</p>
            </div>
            {c.connected.then(|| view! {
                <button class="button button-small" type="button" disabled=checking
                    on:click=move |_| {
                        checked.set(Some(id.clone()));
                        check.dispatch(api::CheckChannel { channel_id: id.clone() });
                    }>
                    {move || if checking.get() { "Checking…" } else { "Check now" }}
                </button>
            })}
        </li>
    }
}

#[component]
fn NewChannel(add: ServerAction<api::AddChannel>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let kind = RwSignal::new(ChannelKind::Manual);
    let url = RwSignal::new(String::new());
    let local = RwSignal::new(None::<AppError>);
    let added = RwSignal::new(None::<AddedChannel>);
    let error = Memo::new(move |_| {
        local
            .get()
            .or_else(|| add.value().get().and_then(Result::err))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let banner = Signal::derive(move || match error.get() {
        Some(AppError::Validation { .. }) | None => None,
        Some(e) => Some(e.to_string()),
    });
    Effect::new(move |_| {
        if let Some(Ok(channel)) = add.value().get() {
            name.set(String::new());
            url.set(String::new());
            added.set(Some(channel));
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = ChannelInput {
            name: name.get_untracked(),
            kind: kind.get_untracked().as_str().into(),
            webhook_url: url.get_untracked(),
        };
        if let Err(fields) = validate_channel(&input) {
            local.set(Some(AppError::validation(fields)));
            return;
        }
        local.set(None);
        added.set(None);
        add.dispatch(api::AddChannel { input });
    };
    view! {
        <form class="card form monitor-form" on:submit=submit novalidate aria-labelledby="new-channel">
            <h2 id="new-channel">"New channel"</h2>
            <ErrorBanner message=banner/>
            <TextField id="channel-name" label="Name" value=name error=field("name") maxlength=60
                hint="As you call it: eBay, StockX, Whatnot shop, Card show."/>
            <fieldset class="hook-levels">
                <legend>"How Flipdesk reaches it"</legend>
                {[ChannelKind::Manual, ChannelKind::Connected].into_iter().map(|k| view! {
                    <label class="check">
                        <input type="radio" name="channel-kind" value=k.as_str()
                            prop:checked=move || kind.get() == k
                            on:change=move |_| kind.set(k)/>
                        {k.label()}
                    </label>
                }).collect_view()}
            </fieldset>
            <Show when=move || kind.get() == ChannelKind::Connected>
                <TextField id="channel-webhook" label="Webhook address" value=url error=field("webhook_url") maxlength=500
                    hint="The app's address for Flipdesk's events (it gets signed JSON when items are held, sold or withdrawn)."/>
            </Show>
            <button class="button button-primary" type="submit" disabled=move || add.pending().get()>
                {move || if add.pending().get() { "Adding…" } else { "Add channel" }}
            </button>
            {move || added.get().map(|c| match c.secret {
                Some(secret) => view! {
                    <div class="banner banner-success key-reveal" role="status">
                        <p><strong>"Channel connected. Give the app these two values now: the secret is shown only once."</strong></p>
                        <label class="muted" for="channel-id">"Channel id"</label>
                        <input id="channel-id" class="key-value" readonly value=c.id/>
                        <label class="muted" for="channel-secret">"Secret"</label>
                        <input id="channel-secret" class="key-value" readonly value=secret/>
                        <p class="muted">"The app calls Flipdesk with Authorization: Bearer <secret>, and checks the Flipdesk-Signature of each event with it."</p>
                    </div>
                }.into_any(),
                None => view! {
                    <p class="banner banner-success" role="status">"Channel added. Offer items on it from their page in your inventory."</p>
                }.into_any(),
            })}
        </form>
    }
}

/// The item page's "Listed on": where the item is offered, and offering it somewhere else.
#[component]
pub fn ItemChannels(item_id: String, #[prop(into)] listed_in_store: bool) -> impl IntoView {
    let offer = ServerAction::<api::OfferItem>::new();
    let withdraw = ServerAction::<api::WithdrawOffer>::new();
    // Loaded in the browser only: the item page's own data comes first, and this part
    // hydrates as the loading line the server sent.
    let offers = {
        let item_id = item_id.clone();
        LocalResource::new(move || {
            offer.version().get();
            withdraw.version().get();
            api::item_offers(item_id.clone())
        })
    };
    let channels = LocalResource::new(api::list_channels);
    let chosen = RwSignal::new(String::new());
    let price = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let error = Memo::new(move |_| {
        offer
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| withdraw.value().get().and_then(Result::err))
    });
    let field =
        move |f: &'static str| Signal::derive(move || error.get().and_then(|e| e.field_error(f)));
    let banner = Signal::derive(move || match error.get() {
        Some(AppError::Validation { .. }) | None => None,
        Some(e) => Some(e.to_string()),
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = offer.value().get() {
            price.set(String::new());
            url.set(String::new());
        }
    });
    let submit = {
        let item_id = item_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            offer.dispatch(api::OfferItem {
                channel_id: chosen.get_untracked(),
                item_id: item_id.clone(),
                price: price.get_untracked(),
                url: url.get_untracked(),
            });
        }
    };
    let item_for_withdraw = item_id.clone();
    view! {
        <section class="card item-channels" aria-labelledby="listed-on-heading">
            <h2 id="listed-on-heading">"Listed on"</h2>
            <ErrorBanner message=banner/>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    let item_id = item_for_withdraw.clone();
                    Suspend::new(async move {
                        match offers.await {
                            Ok(list) if list.is_empty() => view! {
                                <p class="muted" data-testid="listed-on">"Not offered on any sales channel."</p>
                            }.into_any(),
                            Ok(list) => view! {
                                <ul class="offer-list" data-testid="listed-on">
                                    {list.into_iter().map(|o| view! { <Offer o item_id=item_id.clone() withdraw/> }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <LoadError error/> }.into_any(),
                        }
                    })
                }}
            </Transition>
            <Transition fallback=|| view! { <p class="loading">"Loading your channels…"</p> }>
                {move || {
                    let submit = submit.clone();
                    Suspend::new(async move {
                    let all = channels.await.unwrap_or_default();
                    if !listed_in_store {
                        return view! {
                            <p class="muted">"List the item in your store first: the units there are the ones every channel sells."</p>
                        }.into_any();
                    }
                    if all.is_empty() {
                        return view! {
                            <p class="muted">"Add a sales channel on the "<a href="/app/store/channels">"Channels"</a>" page to offer this item there too."</p>
                        }.into_any();
                    }
                    if chosen.get_untracked().is_empty() {
                        chosen.set(all[0].id.clone());
                    }
                    view! {
                        <form class="form sub-form" on:submit=submit.clone() novalidate>
                            <div class="field">
                                <label for="offer-channel">"Sales channel"</label>
                                <select id="offer-channel" on:change=move |ev| chosen.set(event_target_value(&ev))>
                                    {all.into_iter().map(|c| {
                                        let id = c.id.clone();
                                        view! { <option value=c.id selected=move || chosen.get() == id>{c.name}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <TextField id="offer-price" label="Price there" value=price error=field("price") maxlength=20/>
                            <TextField id="offer-url" label="Listing address (optional)" value=url error=field("url") maxlength=500
                                hint="For channels you list on by hand: the listing's page there."/>
                            <button class="button" type="submit" disabled=move || offer.pending().get()>
                                {move || if offer.pending().get() { "Offering…" } else { "Offer on this channel" }}
                            </button>
                        </form>
                    }.into_any()
                })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn Offer(
    o: ChannelOffer,
    item_id: String,
    withdraw: ServerAction<api::WithdrawOffer>,
) -> impl IntoView {
    let state = match o.state.as_str() {
        "listed" => "Listed",
        "sold" => "Sold here",
        _ => "Withdrawn",
    };
    let listed = o.state == "listed";
    let channel_id = o.channel_id.clone();
    let name = o.channel_name.clone();
    view! {
        <li class="offer-row">
            <span><strong>{o.channel_name.clone()}</strong>" · "{o.price.to_string()}" · "
                <span class="status-pill" data-status=o.state.clone()>{state}</span></span>
            {o.url.clone().map(|u| view! { <a href=u.clone() rel="noopener noreferrer" target="_blank">"View listing"</a> })}
            {listed.then(|| view! {
                <button class="button button-small button-ghost" type="button"
                    aria-label=format!("Withdraw from {name}")
                    on:click=move |_| { withdraw.dispatch(api::WithdrawOffer { channel_id: channel_id.clone(), item_id: item_id.clone() }); }>
                    "Withdraw"
                </button>
            })}
        </li>
    }
}
