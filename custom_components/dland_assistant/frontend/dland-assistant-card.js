// dland assistant: Mission Control card. Built from frontend/src by frontend/build.mjs; do not edit.
var Qt=Object.defineProperty;var Xt=(i,e,t)=>e in i?Qt(i,e,{enumerable:!0,configurable:!0,writable:!0,value:t}):i[e]=t;var m=(i,e,t)=>Xt(i,typeof e!="symbol"?e+"":e,t);var I=globalThis,j=I.ShadowRoot&&(I.ShadyCSS===void 0||I.ShadyCSS.nativeShadow)&&"adoptedStyleSheets"in Document.prototype&&"replace"in CSSStyleSheet.prototype,at=Symbol(),vt=new WeakMap,R=class{constructor(e,t,s){if(this._$cssResult$=!0,s!==at)throw Error("CSSResult is not constructable. Use `unsafeCSS` or `css` instead.");this.cssText=e,this.t=t}get styleSheet(){let e=this.o,t=this.t;if(j&&e===void 0){let s=t!==void 0&&t.length===1;s&&(e=vt.get(t)),e===void 0&&((this.o=e=new CSSStyleSheet).replaceSync(this.cssText),s&&vt.set(t,e))}return e}toString(){return this.cssText}},bt=i=>new R(typeof i=="string"?i:i+"",void 0,at),W=(i,...e)=>{let t=i.length===1?i[0]:e.reduce((s,r,n)=>s+(a=>{if(a._$cssResult$===!0)return a.cssText;if(typeof a=="number")return a;throw Error("Value passed to 'css' function must be a 'css' function result: "+a+". Use 'unsafeCSS' to pass non-literal values, but take care to ensure page security.")})(r)+i[n+1],i[0]);return new R(t,i,at)},wt=(i,e)=>{if(j)i.adoptedStyleSheets=e.map(t=>t instanceof CSSStyleSheet?t:t.styleSheet);else for(let t of e){let s=document.createElement("style"),r=I.litNonce;r!==void 0&&s.setAttribute("nonce",r),s.textContent=t.cssText,i.appendChild(s)}},ot=j?i=>i:i=>i instanceof CSSStyleSheet?(e=>{let t="";for(let s of e.cssRules)t+=s.cssText;return bt(t)})(i):i;var{is:te,defineProperty:ee,getOwnPropertyDescriptor:se,getOwnPropertyNames:ie,getOwnPropertySymbols:re,getPrototypeOf:ne}=Object,V=globalThis,xt=V.trustedTypes,ae=xt?xt.emptyScript:"",oe=V.reactiveElementPolyfillSupport,N=(i,e)=>i,lt={toAttribute(i,e){switch(e){case Boolean:i=i?ae:null;break;case Object:case Array:i=i==null?i:JSON.stringify(i)}return i},fromAttribute(i,e){let t=i;switch(e){case Boolean:t=i!==null;break;case Number:t=i===null?null:Number(i);break;case Object:case Array:try{t=JSON.parse(i)}catch{t=null}}return t}},St=(i,e)=>!te(i,e),At={attribute:!0,type:String,converter:lt,reflect:!1,useDefault:!1,hasChanged:St};Symbol.metadata??=Symbol("metadata"),V.litPropertyMetadata??=new WeakMap;var v=class extends HTMLElement{static addInitializer(e){this._$Ei(),(this.l??=[]).push(e)}static get observedAttributes(){return this.finalize(),this._$Eh&&[...this._$Eh.keys()]}static createProperty(e,t=At){if(t.state&&(t.attribute=!1),this._$Ei(),this.prototype.hasOwnProperty(e)&&((t=Object.create(t)).wrapped=!0),this.elementProperties.set(e,t),!t.noAccessor){let s=Symbol(),r=this.getPropertyDescriptor(e,s,t);r!==void 0&&ee(this.prototype,e,r)}}static getPropertyDescriptor(e,t,s){let{get:r,set:n}=se(this.prototype,e)??{get(){return this[t]},set(a){this[t]=a}};return{get:r,set(a){let d=r?.call(this);n?.call(this,a),this.requestUpdate(e,d,s)},configurable:!0,enumerable:!0}}static getPropertyOptions(e){return this.elementProperties.get(e)??At}static _$Ei(){if(this.hasOwnProperty(N("elementProperties")))return;let e=ne(this);e.finalize(),e.l!==void 0&&(this.l=[...e.l]),this.elementProperties=new Map(e.elementProperties)}static finalize(){if(this.hasOwnProperty(N("finalized")))return;if(this.finalized=!0,this._$Ei(),this.hasOwnProperty(N("properties"))){let t=this.properties,s=[...ie(t),...re(t)];for(let r of s)this.createProperty(r,t[r])}let e=this[Symbol.metadata];if(e!==null){let t=litPropertyMetadata.get(e);if(t!==void 0)for(let[s,r]of t)this.elementProperties.set(s,r)}this._$Eh=new Map;for(let[t,s]of this.elementProperties){let r=this._$Eu(t,s);r!==void 0&&this._$Eh.set(r,t)}this.elementStyles=this.finalizeStyles(this.styles)}static finalizeStyles(e){let t=[];if(Array.isArray(e)){let s=new Set(e.flat(1/0).reverse());for(let r of s)t.unshift(ot(r))}else e!==void 0&&t.push(ot(e));return t}static _$Eu(e,t){let s=t.attribute;return s===!1?void 0:typeof s=="string"?s:typeof e=="string"?e.toLowerCase():void 0}constructor(){super(),this._$Ep=void 0,this.isUpdatePending=!1,this.hasUpdated=!1,this._$Em=null,this._$Ev()}_$Ev(){this._$ES=new Promise(e=>this.enableUpdating=e),this._$AL=new Map,this._$E_(),this.requestUpdate(),this.constructor.l?.forEach(e=>e(this))}addController(e){(this._$EO??=new Set).add(e),this.renderRoot!==void 0&&this.isConnected&&e.hostConnected?.()}removeController(e){this._$EO?.delete(e)}_$E_(){let e=new Map,t=this.constructor.elementProperties;for(let s of t.keys())this.hasOwnProperty(s)&&(e.set(s,this[s]),delete this[s]);e.size>0&&(this._$Ep=e)}createRenderRoot(){let e=this.shadowRoot??this.attachShadow(this.constructor.shadowRootOptions);return wt(e,this.constructor.elementStyles),e}connectedCallback(){this.renderRoot??=this.createRenderRoot(),this.enableUpdating(!0),this._$EO?.forEach(e=>e.hostConnected?.())}enableUpdating(e){}disconnectedCallback(){this._$EO?.forEach(e=>e.hostDisconnected?.())}attributeChangedCallback(e,t,s){this._$AK(e,s)}_$ET(e,t){let s=this.constructor.elementProperties.get(e),r=this.constructor._$Eu(e,s);if(r!==void 0&&s.reflect===!0){let n=(s.converter?.toAttribute!==void 0?s.converter:lt).toAttribute(t,s.type);this._$Em=e,n==null?this.removeAttribute(r):this.setAttribute(r,n),this._$Em=null}}_$AK(e,t){let s=this.constructor,r=s._$Eh.get(e);if(r!==void 0&&this._$Em!==r){let n=s.getPropertyOptions(r),a=typeof n.converter=="function"?{fromAttribute:n.converter}:n.converter?.fromAttribute!==void 0?n.converter:lt;this._$Em=r;let d=a.fromAttribute(t,n.type);this[r]=d??this._$Ej?.get(r)??d,this._$Em=null}}requestUpdate(e,t,s,r=!1,n){if(e!==void 0){let a=this.constructor;if(r===!1&&(n=this[e]),s??=a.getPropertyOptions(e),!((s.hasChanged??St)(n,t)||s.useDefault&&s.reflect&&n===this._$Ej?.get(e)&&!this.hasAttribute(a._$Eu(e,s))))return;this.C(e,t,s)}this.isUpdatePending===!1&&(this._$ES=this._$EP())}C(e,t,{useDefault:s,reflect:r,wrapped:n},a){s&&!(this._$Ej??=new Map).has(e)&&(this._$Ej.set(e,a??t??this[e]),n!==!0||a!==void 0)||(this._$AL.has(e)||(this.hasUpdated||s||(t=void 0),this._$AL.set(e,t)),r===!0&&this._$Em!==e&&(this._$Eq??=new Set).add(e))}async _$EP(){this.isUpdatePending=!0;try{await this._$ES}catch(t){Promise.reject(t)}let e=this.scheduleUpdate();return e!=null&&await e,!this.isUpdatePending}scheduleUpdate(){return this.performUpdate()}performUpdate(){if(!this.isUpdatePending)return;if(!this.hasUpdated){if(this.renderRoot??=this.createRenderRoot(),this._$Ep){for(let[r,n]of this._$Ep)this[r]=n;this._$Ep=void 0}let s=this.constructor.elementProperties;if(s.size>0)for(let[r,n]of s){let{wrapped:a}=n,d=this[r];a!==!0||this._$AL.has(r)||d===void 0||this.C(r,void 0,n,d)}}let e=!1,t=this._$AL;try{e=this.shouldUpdate(t),e?(this.willUpdate(t),this._$EO?.forEach(s=>s.hostUpdate?.()),this.update(t)):this._$EM()}catch(s){throw e=!1,this._$EM(),s}e&&this._$AE(t)}willUpdate(e){}_$AE(e){this._$EO?.forEach(t=>t.hostUpdated?.()),this.hasUpdated||(this.hasUpdated=!0,this.firstUpdated(e)),this.updated(e)}_$EM(){this._$AL=new Map,this.isUpdatePending=!1}get updateComplete(){return this.getUpdateComplete()}getUpdateComplete(){return this._$ES}shouldUpdate(e){return!0}update(e){this._$Eq&&=this._$Eq.forEach(t=>this._$ET(t,this[t])),this._$EM()}updated(e){}firstUpdated(e){}};v.elementStyles=[],v.shadowRootOptions={mode:"open"},v[N("elementProperties")]=new Map,v[N("finalized")]=new Map,oe?.({ReactiveElement:v}),(V.reactiveElementVersions??=[]).push("2.1.2");var ct=globalThis,Et=i=>i,K=ct.trustedTypes,kt=K?K.createPolicy("lit-html",{createHTML:i=>i}):void 0,ht="$lit$",b=`lit$${Math.random().toFixed(9).slice(2)}$`,ut="?"+b,le=`<${ut}>`,S=document,M=()=>S.createComment(""),H=i=>i===null||typeof i!="object"&&typeof i!="function",pt=Array.isArray,Nt=i=>pt(i)||typeof i?.[Symbol.iterator]=="function",dt=`[ 	
\f\r]`,U=/<(?:(!--|\/[^a-zA-Z])|(\/?[a-zA-Z][^>\s]*)|(\/?$))/g,Ct=/-->/g,Tt=/>/g,x=RegExp(`>|${dt}(?:([^\\s"'>=/]+)(${dt}*=${dt}*(?:[^ 	
\f\r"'\`<>=]|("|')|))|$)`,"g"),Pt=/'/g,Ot=/"/g,Ut=/^(?:script|style|textarea|title)$/i,_t=i=>(e,...t)=>({_$litType$:i,strings:e,values:t}),l=_t(1),ke=_t(2),Ce=_t(3),E=Symbol.for("lit-noChange"),o=Symbol.for("lit-nothing"),Rt=new WeakMap,A=S.createTreeWalker(S,129);function Mt(i,e){if(!pt(i)||!i.hasOwnProperty("raw"))throw Error("invalid template strings array");return kt!==void 0?kt.createHTML(e):e}var Ht=(i,e)=>{let t=i.length-1,s=[],r,n=e===2?"<svg>":e===3?"<math>":"",a=U;for(let d=0;d<t;d++){let c=i[d],p,h,u=-1,g=0;for(;g<c.length&&(a.lastIndex=g,h=a.exec(c),h!==null);)g=a.lastIndex,a===U?h[1]==="!--"?a=Ct:h[1]!==void 0?a=Tt:h[2]!==void 0?(Ut.test(h[2])&&(r=RegExp("</"+h[2],"g")),a=x):h[3]!==void 0&&(a=x):a===x?h[0]===">"?(a=r??U,u=-1):h[1]===void 0?u=-2:(u=a.lastIndex-h[2].length,p=h[1],a=h[3]===void 0?x:h[3]==='"'?Ot:Pt):a===Ot||a===Pt?a=x:a===Ct||a===Tt?a=U:(a=x,r=void 0);let w=a===x&&i[d+1].startsWith("/>")?" ":"";n+=a===U?c+le:u>=0?(s.push(p),c.slice(0,u)+ht+c.slice(u)+b+w):c+b+(u===-2?d:w)}return[Mt(i,n+(i[t]||"<?>")+(e===2?"</svg>":e===3?"</math>":"")),s]},L=class i{constructor({strings:e,_$litType$:t},s){let r;this.parts=[];let n=0,a=0,d=e.length-1,c=this.parts,[p,h]=Ht(e,t);if(this.el=i.createElement(p,s),A.currentNode=this.el.content,t===2||t===3){let u=this.el.content.firstChild;u.replaceWith(...u.childNodes)}for(;(r=A.nextNode())!==null&&c.length<d;){if(r.nodeType===1){if(r.hasAttributes())for(let u of r.getAttributeNames())if(u.endsWith(ht)){let g=h[a++],w=r.getAttribute(u).split(b),q=/([.?@])?(.*)/.exec(g);c.push({type:1,index:n,name:q[2],strings:w,ctor:q[1]==="."?Z:q[1]==="?"?J:q[1]==="@"?Y:C}),r.removeAttribute(u)}else u.startsWith(b)&&(c.push({type:6,index:n}),r.removeAttribute(u));if(Ut.test(r.tagName)){let u=r.textContent.split(b),g=u.length-1;if(g>0){r.textContent=K?K.emptyScript:"";for(let w=0;w<g;w++)r.append(u[w],M()),A.nextNode(),c.push({type:2,index:++n});r.append(u[g],M())}}}else if(r.nodeType===8)if(r.data===ut)c.push({type:2,index:n});else{let u=-1;for(;(u=r.data.indexOf(b,u+1))!==-1;)c.push({type:7,index:n}),u+=b.length-1}n++}}static createElement(e,t){let s=S.createElement("template");return s.innerHTML=e,s}};function k(i,e,t=i,s){if(e===E)return e;let r=s!==void 0?t._$Co?.[s]:t._$Cl,n=H(e)?void 0:e._$litDirective$;return r?.constructor!==n&&(r?._$AO?.(!1),n===void 0?r=void 0:(r=new n(i),r._$AT(i,t,s)),s!==void 0?(t._$Co??=[])[s]=r:t._$Cl=r),r!==void 0&&(e=k(i,r._$AS(i,e.values),r,s)),e}var F=class{constructor(e,t){this._$AV=[],this._$AN=void 0,this._$AD=e,this._$AM=t}get parentNode(){return this._$AM.parentNode}get _$AU(){return this._$AM._$AU}u(e){let{el:{content:t},parts:s}=this._$AD,r=(e?.creationScope??S).importNode(t,!0);A.currentNode=r;let n=A.nextNode(),a=0,d=0,c=s[0];for(;c!==void 0;){if(a===c.index){let p;c.type===2?p=new T(n,n.nextSibling,this,e):c.type===1?p=new c.ctor(n,c.name,c.strings,this,e):c.type===6&&(p=new G(n,this,e)),this._$AV.push(p),c=s[++d]}a!==c?.index&&(n=A.nextNode(),a++)}return A.currentNode=S,r}p(e){let t=0;for(let s of this._$AV)s!==void 0&&(s.strings!==void 0?(s._$AI(e,s,t),t+=s.strings.length-2):s._$AI(e[t])),t++}},T=class i{get _$AU(){return this._$AM?._$AU??this._$Cv}constructor(e,t,s,r){this.type=2,this._$AH=o,this._$AN=void 0,this._$AA=e,this._$AB=t,this._$AM=s,this.options=r,this._$Cv=r?.isConnected??!0}get parentNode(){let e=this._$AA.parentNode,t=this._$AM;return t!==void 0&&e?.nodeType===11&&(e=t.parentNode),e}get startNode(){return this._$AA}get endNode(){return this._$AB}_$AI(e,t=this){e=k(this,e,t),H(e)?e===o||e==null||e===""?(this._$AH!==o&&this._$AR(),this._$AH=o):e!==this._$AH&&e!==E&&this._(e):e._$litType$!==void 0?this.$(e):e.nodeType!==void 0?this.T(e):Nt(e)?this.k(e):this._(e)}O(e){return this._$AA.parentNode.insertBefore(e,this._$AB)}T(e){this._$AH!==e&&(this._$AR(),this._$AH=this.O(e))}_(e){this._$AH!==o&&H(this._$AH)?this._$AA.nextSibling.data=e:this.T(S.createTextNode(e)),this._$AH=e}$(e){let{values:t,_$litType$:s}=e,r=typeof s=="number"?this._$AC(e):(s.el===void 0&&(s.el=L.createElement(Mt(s.h,s.h[0]),this.options)),s);if(this._$AH?._$AD===r)this._$AH.p(t);else{let n=new F(r,this),a=n.u(this.options);n.p(t),this.T(a),this._$AH=n}}_$AC(e){let t=Rt.get(e.strings);return t===void 0&&Rt.set(e.strings,t=new L(e)),t}k(e){pt(this._$AH)||(this._$AH=[],this._$AR());let t=this._$AH,s,r=0;for(let n of e)r===t.length?t.push(s=new i(this.O(M()),this.O(M()),this,this.options)):s=t[r],s._$AI(n),r++;r<t.length&&(this._$AR(s&&s._$AB.nextSibling,r),t.length=r)}_$AR(e=this._$AA.nextSibling,t){for(this._$AP?.(!1,!0,t);e!==this._$AB;){let s=Et(e).nextSibling;Et(e).remove(),e=s}}setConnected(e){this._$AM===void 0&&(this._$Cv=e,this._$AP?.(e))}},C=class{get tagName(){return this.element.tagName}get _$AU(){return this._$AM._$AU}constructor(e,t,s,r,n){this.type=1,this._$AH=o,this._$AN=void 0,this.element=e,this.name=t,this._$AM=r,this.options=n,s.length>2||s[0]!==""||s[1]!==""?(this._$AH=Array(s.length-1).fill(new String),this.strings=s):this._$AH=o}_$AI(e,t=this,s,r){let n=this.strings,a=!1;if(n===void 0)e=k(this,e,t,0),a=!H(e)||e!==this._$AH&&e!==E,a&&(this._$AH=e);else{let d=e,c,p;for(e=n[0],c=0;c<n.length-1;c++)p=k(this,d[s+c],t,c),p===E&&(p=this._$AH[c]),a||=!H(p)||p!==this._$AH[c],p===o?e=o:e!==o&&(e+=(p??"")+n[c+1]),this._$AH[c]=p}a&&!r&&this.j(e)}j(e){e===o?this.element.removeAttribute(this.name):this.element.setAttribute(this.name,e??"")}},Z=class extends C{constructor(){super(...arguments),this.type=3}j(e){this.element[this.name]=e===o?void 0:e}},J=class extends C{constructor(){super(...arguments),this.type=4}j(e){this.element.toggleAttribute(this.name,!!e&&e!==o)}},Y=class extends C{constructor(e,t,s,r,n){super(e,t,s,r,n),this.type=5}_$AI(e,t=this){if((e=k(this,e,t,0)??o)===E)return;let s=this._$AH,r=e===o&&s!==o||e.capture!==s.capture||e.once!==s.once||e.passive!==s.passive,n=e!==o&&(s===o||r);r&&this.element.removeEventListener(this.name,this,s),n&&this.element.addEventListener(this.name,this,e),this._$AH=e}handleEvent(e){typeof this._$AH=="function"?this._$AH.call(this.options?.host??this.element,e):this._$AH.handleEvent(e)}},G=class{constructor(e,t,s){this.element=e,this.type=6,this._$AN=void 0,this._$AM=t,this.options=s}get _$AU(){return this._$AM._$AU}_$AI(e){k(this,e)}},Lt={M:ht,P:b,A:ut,C:1,L:Ht,R:F,D:Nt,V:k,I:T,H:C,N:J,U:Y,B:Z,F:G},de=ct.litHtmlPolyfillSupport;de?.(L,T),(ct.litHtmlVersions??=[]).push("3.3.3");var Dt=(i,e,t)=>{let s=t?.renderBefore??e,r=s._$litPart$;if(r===void 0){let n=t?.renderBefore??null;s._$litPart$=r=new T(e.insertBefore(M(),n),n,void 0,t??{})}return r._$AI(i),r};var mt=globalThis,$=class extends v{constructor(){super(...arguments),this.renderOptions={host:this},this._$Do=void 0}createRenderRoot(){let e=super.createRenderRoot();return this.renderOptions.renderBefore??=e.firstChild,e}update(e){let t=this.render();this.hasUpdated||(this.renderOptions.isConnected=this.isConnected),super.update(e),this._$Do=Dt(t,this.renderRoot,this.renderOptions)}connectedCallback(){super.connectedCallback(),this._$Do?.setConnected(!0)}disconnectedCallback(){super.disconnectedCallback(),this._$Do?.setConnected(!1)}render(){return E}};$._$litElement$=!0,$.finalized=!0,mt.litElementHydrateSupport?.({LitElement:$});var ce=mt.litElementPolyfillSupport;ce?.({LitElement:$});(mt.litElementVersions??=[]).push("4.2.2");var zt=i=>(...e)=>({_$litDirective$:i,values:e}),Q=class{constructor(e){}get _$AU(){return this._$AM._$AU}_$AT(e,t,s){this._$Ct=e,this._$AM=t,this._$Ci=s}_$AS(e,t){return this.update(e,t)}update(e,t){return this.render(...t)}};var{I:je}=Lt;var he={},Bt=(i,e=he)=>i._$AH=e;var qt=zt(class extends Q{constructor(){super(...arguments),this.key=o}render(i,e){return this.key=i,e}update(i,[e,t]){return e!==this.key&&(Bt(i),this.key=e),t}});var ue=i=>{let e=i?.locale||{},t=e.time_format==="system"?void 0:e.language||i?.language,s=e.time_format==="12"?!0:e.time_format==="24"?!1:void 0,r=e.time_zone==="local"?void 0:i?.config?.time_zone;return{language:t,hour12:s,timeZone:r}},X=(i,e)=>{if(!i)return"\u2013";let{language:t,hour12:s,timeZone:r}=ue(e),n=new Date(i),a=p=>new Intl.DateTimeFormat("en-CA",{timeZone:r,year:"numeric",month:"2-digit",day:"2-digit"}).format(p),d={hour:"2-digit",minute:"2-digit",hour12:s,timeZone:r};if(a(n)===a(new Date))return n.toLocaleTimeString(t,d);let c=a(n).slice(0,4)===a(new Date).slice(0,4);return n.toLocaleString(t,{...d,month:"short",day:"numeric",...c?{}:{year:"numeric"}})},It=(i,e)=>new Date(Date.UTC(2023,0,1+Number(i))).toLocaleDateString(e?.locale?.language||e?.language,{weekday:"short",timeZone:"UTC"});var tt="dland_assistant",et=async i=>{await i.loadBackendTranslation("selector",tt);let e=await i.loadBackendTranslation("common",tt),t=(s,r)=>e(`component.${tt}.common.${s}`,r)||s;return t.option=(s,r)=>e(`component.${tt}.selector.${s}.options.${r}`)||r,t};var jt=(i,{t:e,at:t})=>{if(!i)return l`<div class="loading"><ha-spinner size="tiny"></ha-spinner>${e("loading")}</div>`;if(i.failed)return l`<div class="error">${i.failed}</div>`;let s=(d,c)=>c?l`<dt>${e(d)}</dt><dd>${c}</dd>`:o,r=i.tool_calls?.calls||[],n=r.length?l`<ol class="tools">${r.map(d=>l`<li class="tool ${d.error?"error":""}">
          <code>${d.tool}</code> <span class="arguments">${d.arguments}</span>
          → <span class="result">${d.result||""}</span></li>`)}</ol>
        ${i.tool_calls.dropped?l`<div class="muted">${e("more_tools",{count:i.tool_calls.dropped})}</div>`:o}`:l`<span class="muted">${e("no_tools")}</span>`,a=i.delivery?`${i.delivery.channel}${i.delivery.target?` \u2192 ${i.delivery.target}`:""}: ${i.delivery.status}${i.delivery.error?` (${i.delivery.error})`:""}`:"";return l`<dl>
    ${s("details_answer",i.response?l`<div class="answer">${i.response}</div>`:"")}
    ${s("details_error",i.error?l`<span class="error">${i.error}</span>`:"")}
    ${s("details_acted_as",`${i.acting_user_name||i.acting_user||"\u2014"} (${e(`trust_${i.trust}`)})`)}
    ${s("details_origin",[i.source,i.origin].filter(Boolean).join(" \xB7 "))}
    ${s("details_attempt",i.next_attempt?e("attempt_next",{attempt:i.attempt,time:t(i.next_attempt)}):String(i.attempt))}
    ${s("details_delivered",a)}
    ${s("details_tools",n)}
  </dl>`};var Wt={succeeded:"var(--success-color, #43a047)",failed:"var(--error-color, #db4437)",timed_out:"var(--warning-color, #ffa600)",abandoned:"var(--warning-color, #ffa600)",cancelled:"var(--secondary-text-color, #727272)",skipped:"var(--secondary-text-color, #727272)",quiet:"var(--secondary-text-color, #727272)",in_progress:"var(--info-color, #039be5)",scheduled:"var(--info-color, #039be5)",paused:"var(--secondary-text-color, #727272)",running:"var(--info-color, #039be5)"},Vt={closed:"var(--success-color, #43a047)",half_open:"var(--warning-color, #ffa600)",open:"var(--error-color, #db4437)"},Kt=W`
  ha-card { padding: 16px; }
  .header { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
  .title { font-size: 1.2em; font-weight: 500; flex: 1; }
  .chip { border-radius: 12px; padding: 2px 10px; color: #fff; font-size: 0.85em; }
  .stat { color: var(--secondary-text-color); font-size: 0.9em; }
  h3 { margin: 16px 0 4px; font-size: 1em; font-weight: 500; }
  table { width: 100%; border-collapse: collapse; font-size: 0.9em; }
  th { text-align: left; color: var(--secondary-text-color); font-weight: 400; }
  td, th { padding: 4px 6px 4px 0; vertical-align: top; }
  tr + tr td { border-top: 1px solid var(--divider-color, #e0e0e0); }
  .badge { border-radius: 8px; padding: 1px 6px; color: #fff; font-size: 0.8em; white-space: nowrap; }
  .actions { text-align: right; white-space: nowrap; }
  .actions ha-button { margin: 0 0 2px; }
  .muted { color: var(--secondary-text-color); }
  .preview { color: var(--secondary-text-color); font-size: 0.85em; }
  .empty, .loading { color: var(--secondary-text-color); padding: 4px 0; display: flex; align-items: center; gap: 8px; }
  tr.execution { cursor: pointer; }
  tr.execution:hover { background: rgba(var(--rgb-primary-color, 3, 169, 244), 0.06); }
  tr.execution:focus-visible { outline: 2px solid var(--primary-color); }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0 8px; }
  dt { color: var(--secondary-text-color); }
  dd { margin: 0; overflow-wrap: anywhere; }
  .answer { white-space: pre-wrap; }
  .error { color: var(--error-color, #db4437); }
  ol.tools { margin: 0; padding-left: 1.2em; }
  .arguments, .result { font-family: var(--ha-font-family-code, monospace); font-size: 0.85em; }
  .toolbar { display: flex; justify-content: flex-end; gap: 4px; }
  @media (max-width: 600px) {
    td:nth-child(2), th:nth-child(2) { display: none; }
    .actions { white-space: normal; }
  }
`,Ft=W`
  .editor { display: flex; flex-direction: column; gap: 12px; }
  .row { display: flex; flex-wrap: wrap; gap: 12px; align-items: flex-start; }
  .row > * { flex: 1 1 180px; min-width: 0; }
  .row > .narrow { flex: 0 1 140px; }
  .field-error { color: var(--error-color, #db4437); font-size: 0.85em; }
  .field-error:empty { display: none; }
  .days { display: flex; flex-wrap: wrap; gap: 4px; }
  .preview-when { color: var(--primary-text-color); font-size: 0.95em; }
  .schedule-text { font-weight: 500; }
  .next-runs { color: var(--secondary-text-color); font-size: 0.85em; margin: 4px 0 0; padding-left: 1.2em; }
  ha-formfield { display: block; }
  ha-selector, ha-input { display: block; }
`;var pe=4e3,Zt={executions:10},P=class extends ${constructor(){super(...arguments);m(this,"_at",t=>X(t,this.hass))}static getStubConfig(){return{...Zt}}static getConfigElement(){return document.createElement("dland-assistant-card-editor")}setConfig(t){this._config={...Zt,...t}}getCardSize(){return 3+(this._view?this._view.tasks.length+this._config.executions:4)}connectedCallback(){super.connectedCallback(),this.hass&&this._subscribe()}disconnectedCallback(){super.disconnectedCallback(),this._unsubscribe?.then(t=>t()).catch(()=>{}),this._unsubscribe=void 0}willUpdate(t){!t.has("hass")||!this.hass||(this.hass.language!==this._language&&(this._language=this.hass.language,et(this.hass).then(s=>{this._t=s}),this._unsubscribe?.then(s=>s()).catch(()=>{}),this._unsubscribe=void 0),this._unsubscribe||this._subscribe())}_subscribe(){this._unsubscribe||!this.hass?.connection||(this._unsubscribe=this.hass.connection.subscribeMessage(t=>{this._view=t,this._error=void 0},{type:"dland_assistant/subscribe",language:this.hass.language}),this._unsubscribe.catch(t=>{this._error=t.message||String(t),this._unsubscribe=void 0}))}render(){if(!this._config)return o;let t=this._t,s;return this._error?s=l`<ha-alert alert-type="error" class="error">${this._error}</ha-alert>`:!this._view||!t?s=l`<div class="loading"><ha-spinner size="small"></ha-spinner></div>`:s=this._content(this._view,t),l`<ha-card>${s}${this._editor()}</ha-card>`}_badge(t){return t?l`<span class="badge" data-status=${t}
      style="background:${Wt[t]||"#888"}">${this._statusLabel(t)}</span>`:o}_statusLabel(t){let s=this._t;return t==="paused"?s("paused"):t==="in_progress"||!["scheduled","running","missed"].includes(t)?s.option("execution_status",t):s.option("task_status",t)}_button(t,s,{key:r=s,variant:n,title:a}={}){let d=this._confirm===r;return l`<ha-button size="s" appearance=${d?"filled":"plain"}
      variant=${d?"danger":n||"brand"} title=${a||o}
      ?disabled=${this._busy===r} @click=${()=>this._act(r,s)}>${t}</ha-button>`}async _act(t,s){if(s.confirm&&this._confirm!==t){this._confirm=t,clearTimeout(this._confirmTimer),this._confirmTimer=setTimeout(()=>{this._confirm=void 0},pe);return}this._confirm=void 0,this._busy=t;try{await s.run()}catch(r){this._error=r.message||String(r)}finally{this._busy=void 0}}_service(t,s){return{run:()=>this.hass.callService("dland_assistant",t,s)}}_content(t,s){let r=t.breaker.state,n=Object.entries(t.breaker.agents||{}).filter(([,d])=>d.state!=="closed").map(([d,c])=>`${d}: ${s(`breaker_${c.state}`)}`),a=this._config.executions;return l`
      <div class="header">
        <div class="title">${this._config.title||s("card_title")}</div>
        <span class="chip breaker" data-state=${r} style="background:${Vt[r]}"
          title=${n.join(", ")||s("breaker_all_closed")}>
          ${s("breaker",{state:s(`breaker_${r}`)})}${n.length?` (${n.length})`:""}</span>
        <span class="stat">${s("stats",{running:t.running,failed:t.failed_24h})}</span>
      </div>
      <div class="toolbar">
        <ha-button size="s" appearance="filled" @click=${()=>this._edit("task")}>${s("new_task")}</ha-button>
        ${t.admin?l`<ha-button size="s" appearance="outlined"
          @click=${()=>this._edit("routine")}>${s("new_routine")}</ha-button>`:o}
      </div>
      <h3>${s("tasks")}</h3>
      ${t.tasks.length?l`<table>
        <tr><th>${s("column_task")}</th><th>${s("column_schedule")}</th><th>${s("column_next_run")}</th>
          <th>${s("column_status")}</th><th></th></tr>
        ${t.tasks.map(d=>this._taskRow(d,s))}</table>`:l`<div class="empty">${s("no_tasks")}</div>`}
      ${t.routines.length?l`<h3>${s("routines")}</h3><table>
        <tr><th>${s("column_routine")}</th><th>${s("column_schedule")}</th><th>${s("column_next_run")}</th>
          <th>${s("column_last")}</th><th></th></tr>
        ${t.routines.map(d=>this._routineRow(d,s))}</table>`:o}
      <h3>${s("recent_runs")}</h3>
      ${t.executions.length?l`<table>
        ${t.executions.slice(0,a).map(d=>this._runRows(d,s))}</table>`:l`<div class="empty">${s("no_runs")}</div>`}`}_taskRow(t,s){let r=t.task_id,n=t.status==="running"?"running":t.enabled?t.last_status||t.status:"paused";return l`<tr class="task" data-task-id=${r}>
      <td>${t.name}<div class="muted">${t.agent}</div></td>
      <td>${t.schedule}</td>
      <td>${t.enabled?this._at(t.next_run):l`<span class="muted">${s("paused")}</span>`}</td>
      <td>${this._badge(n)}</td>
      <td class="actions">
        ${this._button(s("run"),this._service("run_task",{task_id:r}),{key:`run:${r}`,title:s("run_now")})}
        ${this._button(t.enabled?s("pause"):s("resume"),this._service("set_task_enabled",{task_id:r,enabled:!t.enabled}),{key:`pause:${r}`})}
        <ha-button size="s" appearance="plain" @click=${()=>this._edit("task",t)}>${s("edit")}</ha-button>
        ${this._button(this._confirm===`cancel:${r}`?s("cancel_confirm"):s("cancel"),{...this._service("cancel_task",{task_id:r}),confirm:!0},{key:`cancel:${r}`})}
      </td>
    </tr>`}_routineRow(t,s){let r=t.routine_id,n={confirm:!0,run:()=>this.hass.callWS({type:"config_entries/subentries/delete",entry_id:this._view.entry_id,subentry_id:r})};return l`<tr class="routine" data-routine=${r}>
      <td>${t.name}</td>
      <td>${t.schedule}</td>
      <td>${t.enabled?this._at(t.next_run):l`<span class="muted">${s("off")}</span>`}</td>
      <td>${this._badge(t.last_status)}</td>
      <td class="actions">
        ${this._button(s("run"),this._service("run_routine",{routine:r}),{key:`run-routine:${r}`,title:s("run_now")})}
        ${this._button(t.enabled?s("pause"):s("resume"),this._service("set_routine_enabled",{routine:r,enabled:!t.enabled}),{key:`pause-routine:${r}`})}
        <ha-button size="s" appearance="plain" @click=${()=>this._edit("routine",t)}>${s("edit")}</ha-button>
        ${t.builtin?o:this._button(this._confirm===`delete:${r}`?s("delete_confirm"):s("delete"),n,{key:`delete:${r}`})}
      </td>
    </tr>`}_runRows(t,s){let r=this._open===t.execution_id;return l`<tr class="execution" tabindex="0" aria-expanded=${String(r)}
        data-execution-id=${t.execution_id} data-status=${t.status}
        @click=${()=>this._toggle(t.execution_id)}
        @keydown=${n=>(n.key==="Enter"||n.key===" ")&&this._toggle(t.execution_id)}>
      <td>${this._badge(t.status)}</td>
      <td>${t.name}${t.attempt>1?l` <span class="attempt muted">${s("attempt",{attempt:t.attempt})}</span>`:o}
        <div class="preview">${t.error||t.response}</div>
        ${t.next_attempt?l`<div class="retry muted">${s("retry_at",{time:this._at(t.next_attempt)})}</div>`:o}</td>
      <td>${this._at(t.started)}</td>
      <td>${t.duration==null?"":s("seconds",{seconds:t.duration.toFixed(1)})}</td>
    </tr>
    ${r?l`<tr class="details"><td colspan="4">${jt(this._details?.execution_id===t.execution_id?this._details:void 0,{t:s,at:this._at})}</td></tr>`:o}`}async _toggle(t){if(this._open=this._open===t?void 0:t,!!this._open)try{this._details=await this.hass.callWS({type:"dland_assistant/execution",execution_id:t})}catch(s){this._details={execution_id:t,failed:s.message||String(s)}}}_edit(t,s){this._editing={kind:t,item:s}}_editor(){if(!this._editing||!this._t)return o;let{kind:t,item:s}=this._editing,r=()=>{this._editing=void 0};return qt(this._editing,t==="task"?l`<dland-task-editor .hass=${this.hass} .t=${this._t} .item=${s}
          .choices=${this._view.choices} @editor-closed=${r}></dland-task-editor>`:l`<dland-routine-editor .hass=${this.hass} .t=${this._t} .item=${s}
          .choices=${this._view.choices} .entryId=${this._view.entry_id}
          @editor-closed=${r}></dland-routine-editor>`)}};m(P,"properties",{hass:{attribute:!1},_config:{state:!0},_view:{state:!0},_error:{state:!0},_t:{state:!0},_open:{state:!0},_details:{state:!0},_editing:{state:!0},_confirm:{state:!0},_busy:{state:!0}}),m(P,"styles",Kt);var _e=[{name:"title",selector:{text:{}}},{name:"executions",selector:{number:{min:1,max:100,mode:"box"}}}],D=class extends ${setConfig(e){this._config=e}willUpdate(e){e.has("hass")&&this.hass&&this.hass.language!==this._language&&(this._language=this.hass.language,et(this.hass).then(t=>{this._t=t}))}render(){return!this.hass||!this._config||!this._t?o:l`<ha-form .hass=${this.hass} .data=${this._config} .schema=${_e}
      .computeLabel=${e=>this._t(`option_${e.name}`)}
      @value-changed=${this._changed}></ha-form>`}_changed(e){e.stopPropagation(),this._config=e.detail.value,this.dispatchEvent(new CustomEvent("config-changed",{detail:{config:this._config},bubbles:!0,composed:!0}))}};m(D,"properties",{hass:{attribute:!1},_config:{state:!0},_t:{state:!0}});var y=class extends ${constructor(){super(),this.errors={},this.saving=!1,this.open=!0}connectedCallback(){super.connectedCallback(),this.data||(this.data={name:this.item?.name||"",...this.initialData(this.item?.form||{})})}set(e,t){this.data={...this.data,[e]:t},this.changed(e)}changed(e){}fieldError(e,t){this.errors={...this.errors,[e]:t}}close(){this.open=!1}render(){return l`<ha-dialog .open=${this.open} header-title=${this.heading()}
        @closed=${this._closed}>
      <form class="editor ${this.formClass}" novalidate @submit=${this._submit}>
        ${this.fields()}
      </form>
      <ha-dialog-footer slot="footer">
        <ha-button slot="secondaryAction" appearance="plain" @click=${()=>this.close()}
          >${this.t("close")}</ha-button>
        <ha-button slot="primaryAction" .loading=${this.saving} ?disabled=${this.saving}
          @click=${this._submit}>${this.t("save")}</ha-button>
      </ha-dialog-footer>
    </ha-dialog>`}async _submit(e){if(e.preventDefault(),!this.saving){this.errors={},this.saving=!0;try{await this.save()&&this.close()}catch(t){this.fieldError("form",t.body?.message||t.message||String(t))}finally{this.saving=!1}}}_closed(e){e.target===e.currentTarget&&this.dispatchEvent(new CustomEvent("editor-closed",{bubbles:!0,composed:!0}))}};m(y,"properties",{hass:{attribute:!1},t:{attribute:!1},item:{attribute:!1},choices:{attribute:!1},data:{state:!0},errors:{state:!0},saving:{state:!0},open:{state:!0}}),m(y,"styles",Ft);var me=["time","datetime-local"],st=(i,e)=>l`<div class="field-error" data-field=${e}>${i.errors[e]||""}</div>`,_=(i,e,t,{type:s="text",placeholder:r,min:n,max:a}={})=>l`
  <div class="field">
    <ha-input name=${e} type=${s} .label=${t} .value=${String(i.data[e]??"")}
      placeholder=${r??(me.includes(s)?" ":o)} min=${n??o} max=${a??o}
      @input=${d=>i.set(e,d.target.value)}></ha-input>
    ${st(i,e)}
  </div>`,f=(i,e,t,s,{required:r=!0,custom:n=!1}={})=>l`
  <div class="field">
    <ha-selector name=${e} .hass=${i.hass} .label=${t} .required=${r}
      .selector=${{select:{mode:"dropdown",custom_value:n,options:s.map(([a,d])=>({value:a,label:d}))}}}
      .value=${i.data[e]??(r?s[0]?.[0]:void 0)}
      @value-changed=${a=>i.set(e,a.detail.value??"")}></ha-selector>
    ${st(i,e)}
  </div>`,it=(i,e,t)=>l`
  <div class="field">
    <ha-selector name=${e} .hass=${i.hass} .label=${t} .required=${!1}
      .selector=${{text:{multiline:!0}}} .value=${i.data[e]??""}
      @value-changed=${s=>i.set(e,s.detail.value??"")}></ha-selector>
    ${st(i,e)}
  </div>`,O=(i,e,t)=>l`
  <ha-formfield .label=${t}>
    <ha-switch name=${e} .checked=${!!i.data[e]}
      @change=${s=>i.set(e,s.target.checked)}></ha-switch>
  </ha-formfield>`,rt=i=>st(i,"form");var ft=i=>(i||"").slice(0,5),fe=["gatherers","calendars","todo_lists","notify_target"],z=class extends y{constructor(){super(...arguments);m(this,"formClass","routine-editor")}initialData(t){return{agent:t.agent||"",enabled:this.item?this.item.enabled:!0,prompt:t.prompt||"",schedule:t.schedule||"interval",interval:t.interval??60,time:ft(t.time)||"07:30",cron:t.cron||"",quiet_start:ft(t.quiet_start),quiet_end:ft(t.quiet_end),user:t.user||"",platform:t.platform||"",deliver:t.deliver!==!1,only_when_needed:!!t.only_when_needed,missed_run_policy:t.missed_run_policy==="skip"?"skip":"run_once",retry_attempts:t.retry_attempts??""}}heading(){return this.item?this.t("edit_routine",{name:this.item.name}):this.t("new_routine")}fields(){let t=this.t,s=this.choices||{agents:[],people:[],channels:[]},r=this.data.schedule;return l`
      <div class="row">
        ${_(this,"name",t("field_name"))}
        ${f(this,"agent",t("field_agent"),s.agents.map(n=>[n,n]),{required:!1,custom:!0})}
      </div>
      ${O(this,"enabled",t("field_enabled"))}
      ${it(this,"prompt",t("field_prompt"))}
      <div class="row">
        ${f(this,"schedule",t("field_runs"),[["interval",t("when_minutes")],["daily",t("when_daily")],["cron",t("when_cron")]])}
        ${r==="interval"?_(this,"interval",t("field_every_minutes"),{type:"number",min:1}):o}
        ${r==="daily"?_(this,"time",t("field_time"),{type:"time"}):o}
        ${r==="cron"?_(this,"cron",t("field_cron"),{placeholder:"0 18 * * 1"}):o}
      </div>
      <div class="row">
        ${_(this,"quiet_start",t("field_quiet_start"),{type:"time"})}
        ${_(this,"quiet_end",t("field_quiet_end"),{type:"time"})}
      </div>
      <div class="row">
        ${f(this,"user",t("field_routine_user"),s.people.map(n=>[n.id,n.name]),{required:!1})}
        ${f(this,"platform",t("field_platform"),s.channels.map(n=>[n,t.option("channel",n)]),{required:!1})}
      </div>
      <div class="row">
        ${f(this,"missed_run_policy",t("field_missed_run_policy"),[["run_once",t.option("missed_run_policy","run_once")],["skip",t.option("missed_run_policy","skip")]])}
        ${_(this,"retry_attempts",t("field_retry_attempts"),{type:"number",min:1,max:10,placeholder:t("default")})}
      </div>
      ${O(this,"deliver",t("field_deliver"))}
      ${O(this,"only_when_needed",t("field_only_when_needed"))}
      ${rt(this)}`}async save(){let t=this.data,s=this.item?.form||{},r={name:t.name,enabled:t.enabled,schedule:t.schedule,deliver:t.deliver,only_when_needed:t.only_when_needed,missed_run_policy:t.missed_run_policy};t.retry_attempts!==""&&(r.retry_attempts=Number(t.retry_attempts)),t.schedule==="interval"&&(r.interval=Number(t.interval)),t.schedule==="daily"&&(r.time=`${t.time}:00`),t.schedule==="cron"&&(r.cron=t.cron);for(let h of["agent","prompt","user","platform"])t[h]&&(r[h]=t[h]);for(let h of["quiet_start","quiet_end"])t[h]&&(r[h]=`${t[h]}:00`);for(let h of fe)s[h]!==void 0&&(r[h]=s[h]);let n=this.hass.loadBackendTranslation("config_subentries","dland_assistant"),a=await this.hass.callApi("POST","config/config_entries/subentries/flow",{handler:[this.entryId,"routine"],...this.item?{subentry_id:this.item.routine_id}:{}}),d=await this.hass.callApi("POST",`config/config_entries/subentries/flow/${a.flow_id}`,r);if(d.type!=="form")return!0;let c=await n,p=["name","agent","interval","time","cron","quiet_end","quiet_start","retry_attempts"];for(let[h,u]of Object.entries(d.errors||{})){let g=c(`component.dland_assistant.config_subentries.routine.error.${u}`)||u;this.fieldError(p.includes(h)?h:"form",g)}return await this.hass.callApi("DELETE",`config/config_entries/subentries/flow/${a.flow_id}`),!1}};m(z,"properties",{...y.properties,entryId:{attribute:!1}});var nt=["1","2","3","4","5","6","0"],Jt=["in","at","daily","weekdays","days","minutes","hours","cron"],$e=["invalid_cron","cron_too_long","cron_never_runs","at_in_past","delay_not_positive","schedule_conflict","schedule_missing","time_out_of_range"],gt=i=>$e.includes(i)?"when":(i||"").startsWith("prompt")?"prompt":i==="unknown_user"?"user":i==="unknown_channel"?"platform":["unknown_agent","agent_cannot_understand"].includes(i)?"agent":"form",$t=(i,e)=>`${String(i).padStart(2,"0")}:${String(e).padStart(2,"0")}`,ge=i=>{let e;return(e=/^(\d+) (\d+) \* \* \*$/.exec(i))?{kind:"daily",time:$t(e[2],e[1])}:(e=/^(\d+) (\d+) \* \* 1-5$/.exec(i))?{kind:"weekdays",time:$t(e[2],e[1])}:(e=/^(\d+) (\d+) \* \* ([0-6](,[0-6])*)$/.exec(i))?{kind:"days",time:$t(e[2],e[1]),days:e[3].split(",")}:(e=/^\*\/(\d+) \* \* \* \*$/.exec(i))?{kind:"minutes",every:e[1]}:(e=/^0 \*\/(\d+) \* \* \*$/.exec(i))?{kind:"hours",every:e[1]}:{kind:"cron",cron:i}},ye=i=>{let e=/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(i||"");return e?`${e[1]}T${e[2]}`:""},yt=i=>{let[e,t]=(i.time||"07:30").split(":").map(Number);switch(i.kind){case"in":return{in:{minutes:Number(i.minutes)}};case"at":return i.at?{at:i.at}:null;case"daily":return{cron:`${t} ${e} * * *`};case"weekdays":return{cron:`${t} ${e} * * 1-5`};case"days":return i.days.length?{cron:`${t} ${e} * * ${i.days.join(",")}`}:null;case"minutes":return{cron:`*/${Number(i.every)} * * * *`};case"hours":return{cron:`0 */${Number(i.every)} * * *`};default:return(i.cron||"").trim()?{cron:i.cron.trim()}:null}},Yt=i=>{let e={kind:"in",minutes:"10",at:"",time:"07:30",days:[],every:"15",cron:""};return i&&i.form.kind==="cron"&&i.cron?{...e,...ge(i.cron)}:i?{...e,kind:"at",at:ye(i.next_run)}:e};var ve=250,B=class extends y{constructor(){super(...arguments);m(this,"formClass","task-editor")}initialData(t){let s={action:t.action==="remind"?"remind":"agent",agent:t.agent||"",prompt:t.prompt||"",user:t.user||"",platform:t.platform||"",missed_run_policy:t.missed_run_policy==="skip"?"skip":"run_once",retry_attempts:t.retry_attempts??"",only_when_needed:!!t.only_when_needed};for(let[r,n]of Object.entries(Yt(this.item)))s[`when_${r}`]=n;return s}firstUpdated(){this._schedulePreview()}heading(){return this.item?this.t("edit_task",{name:this.item.name}):this.t("new_task")}_when(){let t=this.data;return{kind:t.when_kind,minutes:t.when_minutes,at:t.when_at,time:t.when_time,days:t.when_days,every:t.when_every,cron:t.when_cron}}changed(t){t.startsWith("when_")&&this._schedulePreview()}_schedulePreview(){clearTimeout(this._previewTimer),this._previewTimer=setTimeout(()=>this._preview(),ve)}async _preview(){let t=yt(this._when()),s=JSON.stringify(t);if(this._asked=s,this.fieldError("when",""),!t){this.preview=void 0;return}try{let r=await this.hass.callWS({type:"dland_assistant/preview_schedule",language:this.hass.language,...t});this._asked===s&&(this.preview=r)}catch(r){if(this._asked!==s)return;this.preview=void 0,this.fieldError(gt(r.translation_key),r.message||String(r))}}_toggleDay(t){let s=this.data.when_days.includes(t)?this.data.when_days.filter(r=>r!==t):[...this.data.when_days,t].sort((r,n)=>nt.indexOf(r)-nt.indexOf(n));this.set("when_days",s)}fields(){let t=this.t,s=this.choices||{agents:[],people:[],channels:[]},r=this.data.when_kind;return l`
      <div class="row">
        ${_(this,"name",t("field_name"))}
        ${f(this,"action",t("field_action"),[["agent",t.option("task_action","agent")],["remind",t.option("task_action","remind")]])}
        ${f(this,"agent",t("field_agent"),s.agents.map(n=>[n,n]),{required:!1,custom:!0})}
      </div>
      ${it(this,"prompt",t("field_prompt"))}
      <div class="row when">
        ${f(this,"when_kind",t("field_when"),Jt.map(n=>[n,t(`when_${n}`)]))}
        ${r==="in"?_(this,"when_minutes",t("field_minutes"),{type:"number",min:1}):o}
        ${r==="at"?_(this,"when_at",t("field_at"),{type:"datetime-local"}):o}
        ${["daily","weekdays","days"].includes(r)?_(this,"when_time",t("field_time"),{type:"time"}):o}
        ${["minutes","hours"].includes(r)?_(this,"when_every",t(`field_every_${r}`),{type:"number",min:1}):o}
        ${r==="cron"?_(this,"when_cron",t("field_cron"),{placeholder:"30 7 * * 1-5"}):o}
      </div>
      ${r==="days"?l`<div class="days" role="group" aria-label=${t("field_days")}>
        ${nt.map(n=>{let a=this.data.when_days.includes(n);return l`<ha-button size="s" class="day" data-day=${n} aria-pressed=${String(a)}
            appearance=${a?"filled":"outlined"} variant=${a?"brand":"neutral"}
            @click=${()=>this._toggleDay(n)}>${It(n,this.hass)}</ha-button>`})}</div>`:o}
      <div class="field-error" data-field="when">${this.errors.when||""}</div>
      <div class="preview-when" aria-live="polite">
        <span class="schedule-text">${this.preview?.schedule_text||""}</span>
        ${this.preview?l`<ol class="next-runs">${this.preview.next_runs.map(n=>l`<li>${X(n,this.hass)}</li>`)}</ol>`:o}
      </div>
      <div class="row">
        ${f(this,"user",t("field_user"),s.people.map(n=>[n.id,n.name]),{required:!1})}
        ${f(this,"platform",t("field_platform"),s.channels.map(n=>[n,t.option("channel",n)]),{required:!1})}
      </div>
      <div class="row">
        ${f(this,"missed_run_policy",t("field_missed_run_policy"),[["run_once",t.option("missed_run_policy","run_once")],["skip",t.option("missed_run_policy","skip")]])}
        ${_(this,"retry_attempts",t("field_retry_attempts"),{type:"number",min:1,max:10,placeholder:t("default")})}
      </div>
      ${O(this,"only_when_needed",t("field_only_when_needed"))}
      ${rt(this)}`}async save(){let t=yt(this._when());if(!t)return this.fieldError("when",this.t("say_when")),!1;let s=this.data,r={prompt:s.prompt,action:s.action,missed_run_policy:s.missed_run_policy,only_when_needed:s.only_when_needed,...t};for(let n of["name","agent","user","platform"])s[n]&&(r[n]=s[n]);s.retry_attempts!==""&&(r.retry_attempts=Number(s.retry_attempts)),this.item&&(r.task_id=this.item.task_id);try{await this.hass.callWS({type:"call_service",domain:"dland_assistant",service:this.item?"update_task":"schedule_task",service_data:r,return_response:!0})}catch(n){return this.fieldError(gt(n.translation_key),n.message||String(n)),!1}return!0}};m(B,"properties",{...y.properties,preview:{state:!0}});var be={"dland-assistant-card":P,"dland-assistant-card-editor":D,"dland-task-editor":B,"dland-routine-editor":z},Gt=()=>{for(let[i,e]of Object.entries(be))window.customElements.get(i)||window.customElements.define(i,e)};Gt();window.customElements.whenDefined("home-assistant").then(Gt);window.customCards=window.customCards||[];window.customCards.push({type:"dland-assistant-card",name:"dland assistant",description:"Tasks, routines and recent runs of your background agents, live.",preview:!0,documentationURL:"https://github.com/dland/dland_assistant#mission-control-entities-dashboard-card-diagnostics-repairs-blueprints"});
